"""What a process keeps of values named by a key that stands for one state
that never changes: a page at a content version and release, the rules of
the diary at a content version, a week of times at one state of the diary.
A copy here is never stale, and saves reading the shared cache or the
database again.

Each store is bounded: when full it is emptied, so keys made up by visitors
cannot fill a process's memory.
"""

_stores = []


class Recent:
    def __init__(self, size=256):
        self.size = size
        self._values = {}
        _stores.append(self)

    def get(self, key):
        return self._values.get(key)

    def remember(self, key, value):
        if key not in self._values:
            if len(self._values) >= self.size:
                self._values.clear()
            self._values[key] = value

    def get_or_make(self, key, make):
        """The value under `key`, made by `make()` when missing; a None made
        is not kept."""
        value = self._values.get(key)
        if value is None:
            value = make()
            if value is not None:
                self.remember(key, value)
        return value

    def clear(self):
        self._values.clear()


def forget_everything():
    """Empties every store of this process (tests: the database is rolled
    back between them, so a content version can come back with other content)."""
    for store in _stores:
        store.clear()
