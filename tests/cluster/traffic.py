"""Users chatting back to back through the chat Service while something happens to the release."""

import threading
import uuid

import httpx

from tests.cluster.todoctl_run import Todoctl

# A person sends a few messages a minute and the chat allows 30 per user (CHAT_RATE_LIMIT); a sender
# going back to back becomes a new user before it would reach that, so every answer but a 200 stays
# a failure of the release, never of the rate limit.
MESSAGES_PER_USER = 25


class Traffic:
    """One new connection per request, as users behind a load balancer make them; every answer that
    is not a 200, and every request that got no answer, is a failure."""

    def __init__(self, todoctl: Todoctl, users: int) -> None:
        self.todoctl = todoctl
        self.url = todoctl.chat_url()
        self.users = [f"traffic-{uuid.uuid4().hex[:6]}-{n}" for n in range(users)]
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok = 0
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self.talk, args=(user,)) for user in self.users]

    def talk(self, sender: str) -> None:
        limits = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(limits=limits, timeout=30) as client:
            number = 0
            while not self.stop.is_set():
                if number % MESSAGES_PER_USER == 0:
                    user = f"{sender}-{number // MESSAGES_PER_USER}"
                    headers = {"Authorization": f"Bearer {self.todoctl.token(user)}"}
                number += 1
                try:
                    response = client.post(
                        f"{self.url}/api/{user}/chat",
                        json={"message": f"Add a task to check {number}"},
                        headers=headers,
                    )
                except httpx.HTTPError as error:
                    failure = f"{user}: {type(error).__name__}: {error}"
                else:
                    if response.status_code == 200:
                        with self.lock:
                            self.ok += 1
                        continue
                    failure = f"{user}: {response.status_code} {response.text[:100]}"
                with self.lock:
                    self.failures.append(failure)

    def __enter__(self) -> "Traffic":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)
