"""The release's work functions with a plain stand-in for Helm: they get the Helm they use, not a
session, so a few methods are all a test needs."""

import pytest

from todoctl.adapters.providers import Provider
from todoctl.adapters.registry import parse_registry
from todoctl.diagnose import LOADED_IMAGE_HINT
from todoctl.errors import ReleaseNotFound, TodoctlError
from todoctl.release import check_revision, image_hint, last_revision, restore


class PlainHelm:
    """Records what was asked; `failure` is raised by uninstall and rollback."""

    def __init__(self, history: list[dict] | None = None, failure: Exception | None = None) -> None:
        self._history = history
        self.failure = failure
        self.calls: list[tuple] = []

    def history(self, release: str) -> list[dict]:
        if self._history is None:
            raise ReleaseNotFound(f"release: not found: {release}")
        return self._history

    def uninstall(self, release: str) -> None:
        self.calls.append(("uninstall", release))
        if self.failure:
            raise self.failure

    def rollback(self, release: str, revision: int | None) -> None:
        self.calls.append(("rollback", release, revision))
        if self.failure:
            raise self.failure


def test_the_revision_to_return_to_is_the_newest_whatever_its_status() -> None:
    history = [{"revision": 1, "status": "superseded"}, {"revision": 3, "status": "failed"}, {"status": "?"}]
    assert last_revision(PlainHelm(history), "todo") == 3
    assert last_revision(PlainHelm([]), "todo") is None
    assert last_revision(PlainHelm(None), "todo") is None


def test_restore_removes_a_first_install_and_rolls_back_an_upgrade() -> None:
    first, upgrade = PlainHelm(), PlainHelm()

    assert restore(first, "todo", None) == "It was a first install, so it was removed again."
    assert restore(upgrade, "todo", 4) == "It was rolled back to revision 4."
    assert first.calls == [("uninstall", "todo")]
    assert upgrade.calls == [("rollback", "todo", 4)]


@pytest.mark.parametrize(
    ("failure", "sentence"),
    [
        (ReleaseNotFound("release: not found"), "Helm had not created it, so there was nothing to undo."),
        (
            TodoctlError("the cluster went away"),
            "Restoring it failed too: the cluster went away (see `todoctl status`).",
        ),
    ],
)
def test_a_restore_that_cannot_happen_says_why(failure: Exception, sentence: str) -> None:
    assert restore(PlainHelm(failure=failure), "todo", 2) == sentence


def test_the_image_hint_follows_how_the_images_were_delivered() -> None:
    pushed = image_hint(parse_registry("registry.local:5000"), Provider("generic", "prod"))
    generic = image_hint(None, Provider("generic", "prod"))

    assert "cannot pull from registry.local:5000" in pushed
    assert "todoctl doctor --registry registry.local:5000" in pushed
    assert generic.startswith("context 'prod' is not a minikube, kind or k3d cluster")
    assert image_hint(None, Provider("kind", "dev")) == LOADED_IMAGE_HINT


@pytest.mark.parametrize("revision", [0, -1, -(2**63)])
def test_a_revision_below_one_is_refused_before_helm_is_asked(revision: int) -> None:
    with pytest.raises(TodoctlError, match=f"revision {revision} does not exist"):
        check_revision(revision)
    check_revision(None)
    check_revision(1)
