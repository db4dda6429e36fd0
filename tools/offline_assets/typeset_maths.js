// Typesets the site's maths at build time: MathJax 3 (the copy that sphinx-mathjax-offline
// installs, given as the first argument) run once for the whole build by offline_assets.py.
//
// Protocol: one JSON object per line on stdin, one answer per line on stdout.
//   {"fragments": ["<inner HTML of a .math element>", ...]}
//     -> {"fragments": ["<the same with every formula typeset>", ...], "errors": ["...", ...]}
//   {"stylesheet": true}  (after a page's fragments)
//     -> {"css": "<the CHTML stylesheet of the characters of the last fragments>"}
// Each fragment is typeset as MathJax in the browser would typeset it (the same TeX input
// component, delimiters and packages as tex-mml-chtml.js, CHTML output, the assistive
// MathML for screen readers), so the page shows what it showed when MathJax ran there.
"use strict";

const path = require("path");
const readline = require("readline");

const [mathjaxFolder, fontURL] = process.argv.slice(2);

// In the browser MathJax scales each formula so that its x-height matches the text's
// (matchFontHeight); without a browser it cannot measure, and takes an x-height of 0.5em.
// The site's text is the theme's system-ui font, which on the project's machines (Debian) is
// DejaVu Sans, x-height 0.5627em: the browser's MathJax typeset the formulas at 127.3 % of the
// text (0.5627 / 0.442, MathJax's own x-height), and so does this scale.
const TEXT_EX_HEIGHT = 0.5627;
const ASSUMED_EX_HEIGHT = 0.5;

require(path.join(mathjaxFolder, "node-main.js")).init({
  loader: {
    paths: { mathjax: mathjaxFolder },
    versionWarnings: false,
    load: ["input/tex", "output/chtml", "adaptors/liteDOM", "a11y/assistive-mml"],
  },
  chtml: { fontURL, scale: TEXT_EX_HEIGHT / ASSUMED_EX_HEIGHT },
  startup: { typeset: false },
}).then((MathJax) => {
  const adaptor = MathJax.startup.adaptor;
  const mathjax = MathJax._.mathjax.mathjax;
  const { handleRetriesFor } = MathJax._.util.Retries;
  const input = MathJax.startup.input, output = MathJax.startup.output;

  async function typeset(fragments) {
    output.clearCache();  // the stylesheet asked for next covers this page's characters only
    // One document per request: every fragment in its own <div>, typeset in one pass.
    const body = fragments.map((f, i) => `<div data-fragment="${i}">${f}</div>`).join("");
    const doc = mathjax.document(`<html><head></head><body>${body}</body></html>`,
                                 { InputJax: input, OutputJax: output });
    await handleRetriesFor(() => doc.render());  // retried while TeX extensions autoload
    const errors = [];
    for (const item of doc.math) {
      const node = item.typesetRoot;
      if (node && adaptor.tags(node, "mjx-merror").length) errors.push(item.math);
    }
    const divs = adaptor.tags(adaptor.body(doc.document), "div")
      .filter((d) => adaptor.getAttribute(d, "data-fragment") !== null);
    return { fragments: divs.map((d) => adaptor.innerHTML(d)), errors };
  }

  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  let queue = Promise.resolve();
  lines.on("line", (line) => {
    queue = queue.then(async () => {
      let answer;
      try {
        const request = JSON.parse(line);
        answer = request.stylesheet
          ? { css: adaptor.textContent(output.styleSheet(mathjax.document("", { OutputJax: output }))) }
          : await typeset(request.fragments);
      } catch (error) {
        answer = { failure: String(error && error.stack || error) };
      }
      process.stdout.write(JSON.stringify(answer) + "\n");
    });
  });
}).catch((error) => {
  process.stderr.write(`MathJax did not start: ${error && error.stack || error}\n`);
  process.exit(1);
});
