"""``wushe dashboard``: serve the classroom page with Solara on this machine.

The page and everything it loads come from the local server (the front-end ships in
``solara-assets``), so a classroom without internet access gets a working page.
"""

from __future__ import annotations

import argparse
import os
import sys

from .session import REGIONS

__all__ = ["add_parser", "main", "run"]

APP = "model.dashboard.app:Page"


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``dashboard`` subcommand to the ``wushe`` command line."""
    parser = subparsers.add_parser(
        "dashboard",
        help="serve the classroom dashboard (Solara) on this machine",
        description="Serve the classroom dashboard: set the levers, press Play, watch the targets.",
        epilog="examples:\n"
               "  wushe dashboard                              the demo county, in Chinese, on http://127.0.0.1:8765/\n"
               "  wushe dashboard --region hubei --lang en     the province, in English\n"
               "  wushe dashboard --host 0.0.0.0 --port 8080   serve a classroom network",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _arguments(parser)
    parser.set_defaults(func=lambda args: run(args.region, args.lang, args.port, args.host))
    return parser


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", default="demo", choices=REGIONS, help="region to start with (default: demo)")
    parser.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of the page (default: zh)")
    parser.add_argument("--port", type=_port, default=8765, help="port (default: 8765; 0 for any free port)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1; 0.0.0.0 to serve a classroom network)")


def _port(text: str) -> int:
    """An argparse type: a TCP port number 0-65535 (0: any free port)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number 0 to 65535; got {text[:40]!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number 0 to 65535; got {port}")
    return port


def check_address(host: str, port: int) -> None:
    """Raise CommandError (one line, exit 2) when this machine cannot listen on ``host``:``port``."""
    import socket

    from ..cli import CommandError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        raise CommandError(f"--host {host[:80]!r}: not an address of this machine ({exc})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise CommandError(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror}); "
                               "choose another port, or 0 for any free one") from None


def run(region: str = "demo", lang: str = "zh", port: int = 8765, host: str = "127.0.0.1") -> int:
    check_address(host, port)
    os.environ["WUSHE_DASHBOARD_REGION"] = region
    os.environ["WUSHE_DASHBOARD_LANG"] = lang
    # nothing leaves the machine: no usage telemetry, assets from the local copy
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_THEME_LOADER", "plain")
    busy = _port_busy(host, port)
    if busy:
        print(f"wushe dashboard: error: cannot listen on {host}:{port} ({busy}); choose another with --port "
              "(0: any free port)", file=sys.stderr)
        return 2
    from solara.__main__ import cli

    print(f"wushe dashboard: http://{host}:{port}/ (region {region}, {lang}); Ctrl-C stops it", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print("caution: served to the network with no login; anyone who can reach this port can use the page. "
              "Use it on a classroom network you trust and stop it after class (model/dashboard/README.md).\n"
              "注意:页面向网络开放且无需登录,能访问此端口的任何人都可以使用。只在可信任的教室网络中使用,下课后停止。",
              flush=True)
    cli.main(args=["run", APP, "--host", host, "--port", str(port), "--production", "--no-open",
                   "--log-level", "warning"], prog_name="wushe dashboard", standalone_mode=False)
    return 0


def _port_busy(host: str, port: int) -> str:
    """Why ``host:port`` cannot be listened on ("" when it can), checked before anything is printed."""
    import socket

    if port == 0:
        return ""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wushe dashboard", description=__doc__.splitlines()[0])
    _arguments(parser)
    args = parser.parse_args(argv)
    return run(args.region, args.lang, args.port, args.host)


if __name__ == "__main__":
    sys.exit(main())
