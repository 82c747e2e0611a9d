"""Ground Truth's built-in task types, run in process: their catalogue, their pre-annotation
``taskInput``, their worker templates and their consolidation into the output formats of spec 7.5.

Sits between the pure layers (groundtruth formats, the consolidation library) and the engine: it
does no file or database I/O; the engine hands it answers and stores what it returns.
"""
