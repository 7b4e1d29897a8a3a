"""Start the emulated phones of a profile's `phone:` section and serve until SIGTERM.

    cd tests/lab && python -m phone --profile profiles/default.yml --state-dir DIR

Every phone listens on its own 127.B.x.y (HTTP and HTTPS); one admin listener serves them all.
`DIR/phone.ready` is written once everything listens; records live in `DIR/phones/`.
"""

import argparse
import asyncio
import logging
import os
import sys

from .lab import Lab, quiet_exceptions, raise_file_limit
from .profile import ProfileError, load


def main(argv=None):
    parser = argparse.ArgumentParser(prog="phone", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--profile", required=True)
    parser.add_argument("--state-dir", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = load(args.profile)
    except (ProfileError, OSError, ValueError) as error:
        sys.stderr.write("phone: bad profile: %s\n" % error)
        return 2
    limit = raise_file_limit()
    # Two listeners per phone; with SIP a UDP socket and up to two TCP/TLS connections more.
    needed = (5 if settings["sip"]["enabled"] else 2) * len(settings["phones"]) + 64
    if limit < needed:
        sys.stderr.write("phone: %d phones need %d file descriptors, the limit is %d\n"
                         % (len(settings["phones"]), needed, limit))
        return 2
    state_dir = os.path.abspath(args.state_dir)
    os.makedirs(state_dir, exist_ok=True)
    return asyncio.run(_serve(Lab(settings, state_dir)))


async def _serve(lab):
    asyncio.get_running_loop().set_exception_handler(quiet_exceptions)
    try:
        await lab.run()
    except (ProfileError, OSError) as error:
        sys.stderr.write("phone: cannot start: %s\n" % error)
        lab.shutdown()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
