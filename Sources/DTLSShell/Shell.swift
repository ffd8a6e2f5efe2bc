// The console: command table, dispatcher, renderers, script runner.
