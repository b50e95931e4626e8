"""Institute for the Study of War: understandingwar.org (WordPress now, Drupal before) and
CTP's copy of the Iran Update on criticalthreats.org."""
