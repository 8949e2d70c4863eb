"""E-mail test doubles: a mail server that is down (the machine runs none to break)."""


class BrokenEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
