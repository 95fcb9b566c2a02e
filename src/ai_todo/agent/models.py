"""Which model answers: a real OpenAI-compatible one when a key is configured, else the built-in
offline model, so the whole path runs with no network and no key."""

from agents import OpenAIChatCompletionsModel
from agents.models.interface import Model
from openai import AsyncOpenAI

from ai_todo.offline.model import OFFLINE_MODEL_NAME, OfflineModel
from ai_todo.settings import AiTodoSettings


def build_model(settings: AiTodoSettings) -> tuple[Model, str]:
    """The model and the name it is logged under."""
    if settings.openai_api_key is None:
        return OfflineModel(), OFFLINE_MODEL_NAME
    client = AsyncOpenAI(
        api_key=settings.openai_api_key.get_secret_value(),
        base_url=settings.openai_base_url,
        # the turn has its own deadline; one quick retry covers a dropped connection
        timeout=settings.chat_timeout_seconds,
        max_retries=1,
    )
    # Chat Completions, not Responses: it is what "OpenAI-compatible" servers actually implement.
    return OpenAIChatCompletionsModel(
        model=settings.openai_model, openai_client=client
    ), settings.openai_model
