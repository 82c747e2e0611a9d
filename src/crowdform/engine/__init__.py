"""The job lifecycle: create and ingest, hand out tasks, take answers, consolidate, write output."""
