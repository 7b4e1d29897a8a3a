"""Start the lab's SIP servers (kamailio registrars and proxies) of a profile's `sip:` section.

    cd tests/lab && python -m sip --profile profiles/default.yml --state-dir DIR

Waits for the lab GAX (its DNs are the registrars' users), starts one kamailio per registrar and
proxy in the foreground of this process tree, and writes `DIR/sip.ready` once all of them answer.
SIGTERM/SIGINT: every kamailio is stopped by its PID, the ready file goes, exit 0.
"""

import argparse
import logging
import os
import signal
import sys
import threading

from .admin import AdminServer
from .directory import DirectoryError
from .lab import SipLab, write_ready
from .server import ServerError
from .settings import SettingsError, load


def main(argv=None):
    parser = argparse.ArgumentParser(prog="sip", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--profile", required=True)
    parser.add_argument("--state-dir", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(levelname)s %(message)s")
    try:
        settings = load(args.profile)
    except (SettingsError, OSError, ValueError) as error:
        sys.stderr.write("sip: bad profile: %s\n" % error)
        return 2
    state_dir = os.path.abspath(args.state_dir)
    os.makedirs(state_dir, exist_ok=True)
    ready = os.path.join(state_dir, "sip.ready")
    if os.path.exists(ready):
        os.unlink(ready)
    lab = SipLab(settings, state_dir)
    signal.signal(signal.SIGTERM, lambda *_: lab.stop_event.set())
    signal.signal(signal.SIGINT, lambda *_: lab.stop_event.set())
    admin = None
    try:
        lab.start()
        admin = AdminServer(settings["admin"], lab)
        threading.Thread(target=admin.serve_forever, kwargs={"poll_interval": 0.2}, name="sip-admin", daemon=True).start()
        write_ready(state_dir, settings, lab)
        logging.getLogger("sip").info("admin on http://%s:%d", *settings["admin"])
        lab.serve_main()
        return 0
    except (DirectoryError, ServerError, OSError) as error:
        sys.stderr.write("sip: cannot start: %s\n" % error)
        return 1
    finally:
        if admin is not None:
            admin.shutdown()
            admin.server_close()
        lab.shutdown()
        if os.path.exists(ready):
            os.unlink(ready)
        logging.getLogger("sip").info("stopped")


if __name__ == "__main__":
    sys.exit(main())
