"""Writes. Each service checks access through annotations.access, validates, writes in one
transaction and schedules side effects (tasks) after commit."""
