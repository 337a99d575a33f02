# Test stand-in for the official `rabbitmq` image (scripts/test-deploy.sh only): Debian's
# rabbitmq-server. Like the official image, the `guest` user may log in from other hosts
# (CELERY_BROKER_URL=pyamqp://rabbitmq/ means guest:guest). rabbitmq-diagnostics for the
# compose health check.
FROM debian:bookworm-slim
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
 && apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      rabbitmq-server && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d \
 && printf 'loopback_users = none\nlisteners.tcp.default = 5672\n' >/etc/rabbitmq/rabbitmq.conf \
 && rm -f /etc/rabbitmq/rabbitmq-env.conf
USER rabbitmq
ENV HOME=/var/lib/rabbitmq
WORKDIR /var/lib/rabbitmq
EXPOSE 5672
CMD ["rabbitmq-server"]
