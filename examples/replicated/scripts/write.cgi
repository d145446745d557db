#!/bin/sh
# The app's one write endpoint (busybox httpd CGI): POST a line to append it to the log, or
# (the sync sidecar, ?replace) the whole log to replace it.
body=$(head -c "${CONTENT_LENGTH:-0}")
if [ "$QUERY_STRING" = replace ]; then
  printf '%s\n' "$body" >/data/www/log.new && mv /data/www/log.new /data/www/log
else
  printf '%s\n' "$body" >>/data/www/log
fi
printf 'Content-Type: text/plain\r\n\r\nok\n'
