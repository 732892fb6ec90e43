"""Pure domain core: rules, calendar, deadlines, sanctions. No Qt, no database, no I/O, no clock."""
