"""Reading the agent loop's input items."""

from ai_todo.offline.planner import Outcome
from ai_todo.offline.transcript import parse_output, read_transcript


def test_latest_user_message_earlier_replies_and_results_since() -> None:
    items = [
        {"role": "user", "content": "Add milk"},
        {"role": "assistant", "content": 'Got it! I added "Milk" (task 4) to your list.'},
        {"role": "user", "content": [{"type": "input_text", "text": "delete it"}]},
        {"type": "function_call", "call_id": "call_0_0", "name": "delete_task", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_0_0", "output": '{"task_id": 4, "title": "Milk"}'},
    ]

    transcript = read_transcript(items)

    assert transcript.message == "delete it"
    assert transcript.last_task_id() == 4
    assert transcript.outcomes == {"call_0_0": Outcome(ok=True, value={"task_id": 4, "title": "Milk"})}


def test_a_previous_reply_naming_several_tasks_gives_no_it() -> None:
    items = [
        {"role": "assistant", "content": "You have 2 tasks:\n- #1 A\n- #2 B"},
        {"role": "user", "content": "x"},
    ]

    assert read_transcript(items).last_task_id() is None


def test_a_plain_string_input_is_the_message() -> None:
    assert read_transcript("hello").message == "hello"


def test_list_results_are_unwrapped_and_may_come_as_parts() -> None:
    parts = [{"type": "input_text", "text": '{"result": [{"id": 1, "title": "A"}]}'}]

    assert parse_output(parts) == Outcome(ok=True, value=[{"id": 1, "title": "A"}])


def test_plain_text_results_are_errors_without_the_servers_prefix() -> None:
    outcome = parse_output("Error executing tool complete_task: task 7 not found")

    assert outcome == Outcome(ok=False, value="task 7 not found")
