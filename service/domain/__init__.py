"""The engine's records: orders, their events, costs, settings, entries.

The records an order's posting makes by the thousand (an order and its
events, costs, context, journal lines and entries) are slotted dataclasses
whose fields are ``Final`` and whose ``__init__`` is written out. Compiled
with mypyc (see service/compiled.py), a written ``__init__`` stores each
field straight into the instance, about ten times faster than the frozen
dataclass's generated one, which calls ``object.__setattr__`` per field;
and ``Final`` keeps them immutable: mypy refuses any assignment outside
``__init__``, the compiled classes refuse it at run time, and from source
``records.seal`` makes their fields write-once. They hash and compare by
value, as frozen dataclasses do.
"""
