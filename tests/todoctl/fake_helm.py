"""Helm's command line as the real binaries parse it, for the subcommands todoctl runs.

The flags are those of Helm v3.22.0 (`cmd/helm/*.go`) and v4.3.2 (`pkg/cmd/*.go`), the two helms the
CI cluster builds, read from their sources (see fixtures/SOURCES.md). A flag the emulated helm does
not have fails the way cobra/pflag fail it (`Error: unknown flag: --all`, exit 1, the real outputs
in fixtures/helm); a deprecated one prints cobra's warning and the command goes on.

Spec syntax: `name` is a boolean flag, `name=` takes a value (the next argument or `=value`),
`name=?` takes an optional `=value` only, and `/x` gives the one-letter shorthand.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from tests.todoctl.fake_runner import Answer
from todoctl.parsers.versions import Version

_GLOBAL3 = """
    burst-limit= debug kube-apiserver= kube-as-group= kube-as-user= kube-ca-file= kube-context=
    kube-insecure-skip-tls-verify kube-tls-server-name= kube-token= kubeconfig= namespace/n= qps=
    registry-config= repository-cache= repository-config= help/h
"""
_GLOBAL4 = _GLOBAL3 + "color= colour= content-cache="

_COMMANDS3 = {
    "version": "client/c short template=",
    "upgrade": """
        atomic ca-file= cert-file= cleanup-on-fail create-namespace dependency-update description=
        devel disable-openapi-validation dry-run=? enable-dns force hide-notes hide-secret
        history-max= insecure-skip-tls-verify install/i key-file= keyring= labels/l= no-hooks
        output/o= pass-credentials password= plain-http post-renderer= post-renderer-args=
        recreate-pods render-subchart-notes repo= reset-then-reuse-values reset-values reuse-values
        set= set-file= set-json= set-literal= set-string= skip-crds skip-schema-validation
        take-ownership timeout= username= values/f= verify version= wait wait-for-jobs
    """,
    "status": "output/o= revision= show-desc show-resources",
    "history": "max= output/o=",
    "get values": "all/a output/o= revision=",
    "rollback": """
        cleanup-on-fail dry-run force history-max= no-hooks recreate-pods timeout= wait wait-for-jobs
    """,
    "uninstall": "cascade= description= dry-run ignore-not-found keep-history no-hooks timeout= wait",
    "lint": """
        kube-version= quiet set= set-file= set-json= set-literal= set-string= skip-schema-validation
        strict values/f= with-subcharts
    """,
    "list": """
        all/a all-namespaces/A date/d deployed failed filter/f= max/m= no-headers offset= output/o=
        pending reverse/r selector/l= short/q superseded time-format= uninstalled uninstalling
    """,
}
_COMMANDS4 = {
    "version": "short template=",
    "upgrade": """
        atomic ca-file= cert-file= cleanup-on-fail create-namespace dependency-update description=
        devel disable-openapi-validation dry-run=? enable-dns force force-conflicts force-replace
        hide-notes hide-secret history-max= insecure-skip-tls-verify install/i key-file= keyring=
        labels/l= no-hooks output/o= pass-credentials password= plain-http post-renderer=
        post-renderer-args= render-subchart-notes repo= reset-then-reuse-values reset-values
        reuse-values rollback-on-failure server-side= set= set-file= set-json= set-literal=
        set-string= skip-crds skip-schema-validation take-ownership timeout= username= values/f=
        verify version= wait=? wait-for-jobs
    """,
    "status": "output/o= revision=",
    "history": "max= output/o= show-rollback-revision",
    "get values": "all/a output/o= revision=",
    "rollback": """
        cleanup-on-fail description= dry-run=? force force-conflicts force-replace history-max=
        no-hooks server-side= timeout= wait=? wait-for-jobs
    """,
    "uninstall": "cascade= description= dry-run ignore-not-found keep-history no-hooks timeout= wait=?",
    "lint": _COMMANDS3["lint"],
    "list": """
        all-namespaces/A date/d deployed failed filter/f= max/m= no-headers offset= output/o=
        pending reverse/r selector/l= short/q superseded time-format= uninstalled uninstalling
    """,
}
# (command, flag) -> cobra's MarkDeprecated message
_DEPRECATED3 = {
    ("upgrade", "recreate-pods"): "functionality will no longer be updated. Consult the documentation for "
    "other methods to recreate pods"
}
_DEPRECATED4 = {
    ("upgrade", "atomic"): "use --rollback-on-failure instead",
    ("upgrade", "force"): "use --force-replace instead",
    ("rollback", "force"): "use --force-replace instead",
}
# (command, flag) -> the release that added it, for the flags todoctl needs that Helm 3 gained late
_ADDED = {("uninstall", "wait"): Version(3, 7, 0)}
# Helm 4's --wait strategies (pkg/cmd/flags.go waitValue.Set); "true"/"false" are accepted with a warning
_WAIT_STRATEGIES = {"watcher", "hookOnly", "legacy", "true", "false"}
# what Go's strconv.ParseBool takes, for `--flag=value` of a boolean flag
_BOOLEANS = {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}


@dataclass(frozen=True)
class Flag:
    name: str
    short: str | None
    value: str  # "none", "required" or "optional"


def _flags(spec: str) -> dict[str, Flag]:
    found = {}
    for item in spec.split():
        value = "optional" if item.endswith("=?") else "required" if item.endswith("=") else "none"
        name, _, short = item.rstrip("=?").partition("/")
        found[name] = Flag(name, short or None, value)
    return found


class FakeHelmCli:
    """Checks a helm argv against the flags of one helm version; see `check`."""

    def __init__(self, version: Version) -> None:
        self.version = version
        four = version.major >= 4
        self.global_flags = _flags(_GLOBAL4 if four else _GLOBAL3)
        self.commands = {
            name: {
                flag.name: flag
                for flag in _flags(spec).values()
                if _ADDED.get((name, flag.name), Version(0, 0)) <= version
            }
            for name, spec in (_COMMANDS4 if four else _COMMANDS3).items()
        }
        self.deprecated = _DEPRECATED4 if four else _DEPRECATED3

    def check(self, argv: tuple[str, ...]) -> Answer:
        """An exit-1 answer with helm's error when it would refuse `argv`; else exit 0 with the
        warnings it prints on stderr before running (an empty answer when there are none)."""
        words = [part for part in argv[1:] if not part.startswith("-")]
        command = next((name for name in self.commands if words[: len(name.split())] == name.split()), None)
        if command is None:
            first = words[0] if words else ""
            return _refused(f'unknown command "{first}" for "helm"\nRun \'helm --help\' for usage.')
        known = {**self.global_flags, **self.commands[command]}
        warnings = []
        try:
            for flag, value in _parse(argv[1:], known):
                if flag.value == "none" and value is not None and value not in _BOOLEANS:
                    raise _Refusal(
                        f'invalid argument "{value}" for "--{flag.name}" flag: '
                        f'strconv.ParseBool: parsing "{value}": invalid syntax'
                    )
                if (
                    flag.name == "wait"
                    and flag.value == "optional"
                    and value not in (None, *_WAIT_STRATEGIES)
                ):
                    raise _Refusal(
                        f'invalid argument "{value}" for "--wait" flag: invalid wait input "{value}". '
                        "Valid inputs are watcher, hookOnly, and legacy"
                    )
                if (command, flag.name) in self.deprecated:
                    reason = self.deprecated[command, flag.name]
                    warnings.append(f"Flag --{flag.name} has been deprecated, {reason}\n")
        except _Refusal as refusal:
            return _refused(str(refusal))
        return Answer(stderr="".join(warnings))


class _Refusal(Exception):
    pass


def _refused(message: str) -> Answer:
    return Answer(stderr=f"Error: {message}\n", returncode=1)


def _parse(args: tuple[str, ...], known: dict[str, Flag]) -> Iterator[tuple[Flag, str | None]]:
    """pflag's reading of the arguments: yields each flag given and its value."""
    by_short = {flag.short: flag for flag in known.values() if flag.short}
    rest = list(args)
    while rest:
        part = rest.pop(0)
        if part == "--":
            return
        if part.startswith("--"):
            name, equals, value = part[2:].partition("=")
            if name not in known:
                raise _Refusal(f"unknown flag: --{name}")
            flag = known[name]
            if not equals and flag.value == "required":
                if not rest:
                    raise _Refusal(f"flag needs an argument: --{name}")
                value = rest.pop(0)
            yield flag, value if (equals or flag.value == "required") else None
        elif part.startswith("-") and len(part) > 1:
            letters = part[1:]
            while letters:
                letter, letters = letters[0], letters[1:]
                if letter not in by_short:
                    raise _Refusal(f"unknown shorthand flag: '{letter}' in {part}")
                flag = by_short[letter]
                if flag.value == "required":
                    value = letters.removeprefix("=") or (rest.pop(0) if rest else None)
                    if value is None:
                        raise _Refusal(f"flag needs an argument: '{letter}' in {part}")
                    yield flag, value
                    break
                yield flag, None
