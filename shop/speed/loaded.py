"""Model instances that know what they held when read."""


class KeepsLoadedValues:
    """Remembers ``loaded_fields`` as read from the database, so a receiver can tell what
    a save changed without reading the row again (``fulfilment.receivers``)."""

    loaded_fields = ()

    def _remember_loaded(self):
        if all(name in self.__dict__ for name in self.loaded_fields):  # none deferred
            self._loaded = tuple(self.__dict__[name] for name in self.loaded_fields)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember_loaded()
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._remember_loaded()
