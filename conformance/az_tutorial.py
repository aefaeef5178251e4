"""The tutorial's own az commands, read from `../shared/tutorial.md` in its order.

Each ```azurecli or ```bash block that runs `az` gives its command lines (backslash
continuations joined); the tutorial's `for i in \\`seq 1 3\\`` loops become one command per
value of `$i`, as bash runs them. Each command is tagged with the tutorial's step ("## Step 2 -
Create load balancer" -> "2"). The ```yaml block is the cloud-init.txt the tutorial asks you to
create. One documented exception (conformance/README.md): `--ip-config-name ipConfig1` is run as
`ipconfig1`, the name az gives the configuration and matches case-sensitively.
"""

from __future__ import annotations

import re
from pathlib import Path

from results import Step

TUTORIAL = Path(__file__).resolve().parents[1].parent / "shared" / "tutorial.md"

BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
HEADING = re.compile(r"^## Step (\d+)\b", re.M)
LOOP = re.compile(r"for (\w+) in `seq (\d+) (\d+)`; do\n(.*?)\ndone", re.S)

EXCEPTION = ("--ip-config-name ipConfig1", "--ip-config-name ipconfig1")
EXCEPTION_NOTE = "documented exception: --ip-config-name ipconfig1, the name az gives it"


def _commands(code: str) -> list[str]:
    """The command lines of one shell block, loops unrolled."""
    def unroll(match: re.Match) -> str:
        var, first, last, body = match.groups()
        return "\n".join(body.replace(f"${var}", str(i)) for i in range(int(first), int(last) + 1))
    code = LOOP.sub(unroll, code)
    joined = re.sub(r"\\\n\s*", "", code)
    return [" ".join(line.split()) for line in joined.splitlines() if line.strip().startswith("az ")]


def steps(text: str | None = None) -> list[Step]:
    """Every az command of the tutorial, in order, as Steps numbered by the tutorial's step."""
    text = TUTORIAL.read_text() if text is None else text
    headings = [(m.start(), m.group(1)) for m in HEADING.finditer(text)]
    found = []
    for block in BLOCK.finditer(text):
        if block.group(1) not in ("azurecli", "bash"):
            continue
        number = next((n for start, n in reversed(headings) if start < block.start()), "?")
        for command in _commands(block.group(2)):
            if EXCEPTION[0] in command:
                found.append(Step(number, command.replace(*EXCEPTION), EXCEPTION_NOTE))
            else:
                found.append(Step(number, command))
    missing = {"2", "3", "4", "5", "6"} - {step.number for step in found}
    if missing:    # the tutorial's layout changed: better no table than a short one
        raise ValueError(f"no az command found in the tutorial's step(s) {sorted(missing)}")
    return found


def cloud_init(text: str | None = None) -> str:
    """The cloud-init.txt of step 4 ("Create a file named cloud-init.txt and paste ...")."""
    text = TUTORIAL.read_text() if text is None else text
    for block in BLOCK.finditer(text):
        if block.group(1) == "yaml" and block.group(2).startswith("#cloud-config"):
            return block.group(2)
    raise ValueError("the tutorial has no #cloud-config block")
