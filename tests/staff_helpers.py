"""Staff accounts for tests: a technician 1001 (PIN 482913) and an agent 2001 (559301)."""

TECH = {"KIOSK_STAFF": "1001", "KIOSK_PIN": "482913"}
AGENT = {"KIOSK_STAFF": "2001", "KIOSK_PIN": "559301"}


def make_staff(paths, agent_name: str = "Agent"):
    """Through the core (the gate the screens use); returns the gate."""
    from kiosk.privileged import Gate
    from kiosk.staff import SETUP

    gate = Gate(paths)
    gate.staff.add(SETUP, "1001", "Tech", "technician", "482913")
    gate.staff.add(gate.staff.authenticate("1001", "482913"), "2001", agent_name, "agent", "559301")
    return gate


def make_staff_cli(run) -> None:
    """Through the real `kiosk staff add` (``run(*args, env=...)`` invokes the CLI)."""
    run("staff", "add", "--id", "1001", "--name", "Tech", "--role", "technician",
        env={"KIOSK_NEW_PIN": "482913"})
    run("staff", "add", "--id", "2001", "--name", "Agent", "--role", "agent",
        env={**TECH, "KIOSK_NEW_PIN": "559301"})
