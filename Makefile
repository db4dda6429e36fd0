# The two commands, each doing its own set-up (README.md, "The two commands"):
#   make site     the course's site in _build/html (creates .venv and installs the requirements when missing)
#   make test     every test, as CI runs them (the same set-up, plus requirements-optional.txt)
# and
#   make serve    serves the built site on http://127.0.0.1:8000/ (PORT=... for another port)
#   make pdf      the course as one printable book, _build/html/course.pdf (builds the site first when missing;
#                 needs Debian's chromium, as the browser tests do)
#   make lock     recompiles requirements.txt from requirements.in (pip-tools)
# VENV=... uses another environment folder (.ci/run passes a fresh one); PYTHON=... the Python
# that creates it. TORCH_INDEX_URL, if set, is where torch is installed from (the CPU-only wheel);
# else the folder of wheels pip is configured to look in (PIP_FIND_LINKS, or pip's find-links
# setting), if any.
#
# The packages are installed by uv (pinned below, installed with pip into the environment
# first): it fetches and unpacks in parallel, and installed the 172 locked packages, torch and
# keras in about a third of pip's time here (README, "Development"). Binder and anyone without
# make install the same requirements.txt with pip.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
# The README's test command: every test, with two workers (one notebook, and the built site, per
# worker: see conftest.py). TEST_ARGS=... adds options, e.g. TEST_ARGS='-m "not site"'.
PYTEST_WORKERS ?= 2
TEST_COMMAND = python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(TEST_ARGS)
BUILD_COMMAND = jupyter-book build . -W -n --keep-going
PIP_TOOLS = pip-tools==7.6.2
UV = uv==0.13.9

BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-requirements
INSTALLED_OPTIONAL := $(VENV)/.installed-optional

.PHONY: site serve test lock pdf

site: $(INSTALLED)
	PATH="$(abspath $(BIN)):$$PATH" $(BUILD_COMMAND)
	@echo
	@echo "The site is in _build/html: open _build/html/index.html in a browser,"
	@echo "or run 'make serve' and open http://127.0.0.1:$(PORT)/"

# The book: every page of _toc.yml printed by the system's Chromium and merged (tools/pdf.py), written
# over the placeholder that every site build carries. A site built earlier is printed as it is.
pdf: $(INSTALLED)
	@test -f _build/html/index.html || $(MAKE) site
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python tools/pdf.py --site _build/html

serve:
	@test -f _build/html/index.html || $(MAKE) site
	@echo "Serving _build/html on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory _build/html $(PORT)

# PYTHONDONTWRITEBYTECODE emptied: a run starts 30 Python processes (pytest and its 2 workers, 19
# kernels, 3 site builds, 2 pytests of the figure check, ...) that import the course's own modules
# (src/, tools/, tests/: not compiled at install) and pytest's rewritten test files; where a shell
# sets it (this machine's does), every one of them compiled those again.
test: $(INSTALLED_OPTIONAL)
	PATH="$(abspath $(BIN)):$$PATH" VIRTUAL_ENV="$(abspath $(VENV))" PYTHONDONTWRITEBYTECODE= $(TEST_COMMAND)

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet $(PIP_TOOLS)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --strip-extras \
	    --no-emit-index-url --no-emit-find-links --output-file requirements.txt requirements.in

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(UV)

# --compile-bytecode: uv writes every module's .pyc at install, on all cores (pip does as it installs;
# uv does not by default), instead of each test process compiling what it imports: in a fresh clone
# the set-up takes 23 s more and the tests 86 s less (CI 378 -> 313 s).
UV_INSTALL = $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python
# uv does not read pip's configuration: where this machine's pip finds wheels (a CPU torch, say)
PIP_WHEELS = $(or $(PIP_FIND_LINKS),$(shell $(PYTHON) -m pip config get global.find-links 2>/dev/null))

# Reinstalled when requirements.txt changes (the marker file is older then).
$(INSTALLED): requirements.txt | $(BIN)/uv
	$(UV_INSTALL) -r requirements.txt
	touch $@

# torch first, from $(TORCH_INDEX_URL) when set (else from $(PIP_WHEELS) when set, then
# PyPI), so that the CPU-only wheel is the one installed; the second line then keeps it.
$(INSTALLED_OPTIONAL): requirements-optional.txt $(INSTALLED)
	$(UV_INSTALL) $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL),$(if $(PIP_WHEELS),--find-links $(PIP_WHEELS))) \
	    $$(grep -E '^torch==' requirements-optional.txt)
	$(UV_INSTALL) -r requirements-optional.txt
	touch $@
