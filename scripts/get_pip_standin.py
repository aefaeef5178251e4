"""Stand-in for get-pip.py, for ansible-test's virtual environments.

ansible-test creates each of its venvs without pip, then runs a get-pip.py that it
downloads from its own CI host (which this project's machines cannot reach) and caches as
~/.ansible/test/cache/get_pip_<version>.py. It uses the cached file when one is there, so
scripts/sanity puts this file there instead. It takes get-pip.py's arguments (pip
install arguments, such as `pip==24.2`, plus --no-setuptools/--no-wheel), installs the pip
that Python bundles (ensurepip, offline), then lets that pip install what was asked for
from the package index.
"""

import subprocess
import sys

OWN_FLAGS = ("--no-setuptools", "--no-wheel")

args = [arg for arg in sys.argv[1:] if arg not in OWN_FLAGS]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *args])
has_setuptools = subprocess.call([sys.executable, "-c", "import setuptools"], stderr=subprocess.DEVNULL) == 0
if "--no-setuptools" in sys.argv and has_setuptools:
    # Python <= 3.11's ensurepip brings setuptools along; get-pip.py would not have.
    subprocess.check_call([sys.executable, "-m", "pip", "uninstall", "--quiet", "--yes", "setuptools"])
