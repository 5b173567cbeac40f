"""The programme monitored: the DUP tree and the mandate chapters, with states, money,
funding and quartieri of the interventions (issue 18). `config` reads the programme file,
`tree` aggregates (pure functions), `views` serves /programma and /api/programma."""
