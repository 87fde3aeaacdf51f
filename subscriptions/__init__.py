"""Live events: the event log reader, fan-out to subscribers, subscription generators."""
