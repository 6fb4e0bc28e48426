"""The runner's resource guards, one per module, each checked on every poll of the watched loop
(sortcanary.runner.watched): ``memory`` (the process tree's RSS against its limit), ``io_stall``
(a tree that neither reads nor computes), ``gpu`` (the snapshot an out-of-memory leaves), on the
figures ``tree`` samples once per poll; ``events`` is their audit log."""
