"""Use cases. Each public function is what one handler route calls."""
