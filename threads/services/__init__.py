"""Write paths. Each public function validates, runs in a transaction and returns what it
changed; views and tasks only translate between the outside world and these."""
