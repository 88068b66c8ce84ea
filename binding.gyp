{
  "targets": [{ "target_name": "send_timer", "sources": ["native/send-timer.c"] }]
}
