"""Runs Debian's AWS CLI (the awscli package's driver, what /usr/bin/aws runs) once per request.

Each line on stdin is a JSON array of `aws` arguments; each answer on stdout is one JSON line
{"rc": exit code, "stdout": ..., "stderr": ...}. A fresh CLI driver serves each command, as a
new `aws` process would; only Python's start and the CLI's imports (seconds on a busy machine)
are paid once. Used by test/helpers/aws-cli.ts.
"""

import contextlib
import io
import json
import sys

from awscli.clidriver import create_clidriver

protocol = sys.stdout
for line in sys.stdin:
    args = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = create_clidriver().main(args)
        except SystemExit as exit_:
            rc = exit_.code if isinstance(exit_.code, int) else 1
    protocol.write(json.dumps({"rc": rc, "stdout": out.getvalue(), "stderr": err.getvalue()}) + "\n")
    protocol.flush()
