#!/usr/bin/env bash
# A scratch virtual environment with doccano 1.8.4 for bench/doccano_import.py, outside the
# project: doccano is never a dependency of the workbench.
#
#   bash bench/doccano_venv.sh [DIR]        # DIR defaults to $DOCCANO_VENV or /tmp/doccano-venv
#
# numpy<2: doccano 1.8.4 pins pandas<2, whose wheels are built against numpy 1.x and fail
# to import with numpy 2 ("numpy.dtype size changed"); pip would otherwise pick numpy 2.
# marshmallow<4: doccano's environs 9.5 reads marshmallow.__version_info__, gone in 4.
# psycopg2-binary: doccano's PostgreSQL driver (its "postgresql" extra).
set -euo pipefail
VENV="${1:-${DOCCANO_VENV:-/tmp/doccano-venv}}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet 'doccano==1.8.4' 'numpy<2' 'marshmallow<4' psycopg2-binary
"$VENV/bin/python" -c 'import importlib.metadata as m, numpy, pandas; print("doccano", m.version("doccano"), "numpy", numpy.__version__, "pandas", pandas.__version__)'
echo "doccano venv ready: $VENV"
