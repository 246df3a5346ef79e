# The gateway: an unprivileged nginx with the meshcall templates and snippets.
# Build context: infra/nginx  (docker build -f infra/nginx/gateway.Dockerfile infra/nginx)
#
# docker-compose.yml's default upstreams use "resolve" (nginx >= 1.27.3), so replicas added with
# `docker compose up --scale signaling=N` are found through Docker's DNS without a restart. An
# older nginx (the offline set's 1.22) takes plain `server NAME:PORT;` upstreams instead
# (GATEWAY_*_SERVERS), resolved once at start.
ARG NGINX_IMAGE=nginxinc/nginx-unprivileged:1.28-alpine
FROM ${NGINX_IMAGE}

USER root
# The image's example server would answer on the same port; ours is the only one.
RUN rm -f /etc/nginx/conf.d/default.conf
# Plain HTTP: rendered by the image's entrypoint into /etc/nginx/conf.d/ at every start.
COPY templates/gateway.conf.template /etc/nginx/templates/gateway.conf.template
# HTTPS/WSS: the TLS overlay points NGINX_ENVSUBST_TEMPLATE_DIR here (infra/docker-compose.tls.yml).
# nginx includes conf.d/*.conf in name order, and the HTTPS server uses the log format and zones
# the plain server's file defines: its file must sort after gateway.conf. As gateway-tls.conf it
# sorted first ('-' before '.') and nginx refused to start (found by the compose smoke test).
COPY templates/gateway.conf.template /etc/nginx/templates-tls/
COPY tls/gateway-tls.conf.template /etc/nginx/templates-tls/https.conf.template
# The TLS edge (stream context): HTTPS and TURN over TLS share the TLS port, routed by ALPN. The
# TLS overlay points NGINX_ENVSUBST_STREAM_TEMPLATE_DIR here; the entrypoint renders it into
# stream_conf.d, which the stream block added below includes (empty without the overlay). Added
# at build time because nginx.conf is not writable by uid 101 at run time.
COPY tls/stream/gateway-tls-edge.conf.template /etc/nginx/stream-templates-tls/
RUN mkdir -p /etc/nginx/stream_conf.d \
    && chown 101:0 /etc/nginx/stream_conf.d \
    && printf '\nstream {\n    include /etc/nginx/stream_conf.d/*.conf;\n}\n' >> /etc/nginx/nginx.conf
# Routes and headers, included as meshcall/*.conf relative to /etc/nginx.
COPY snippets/ /etc/nginx/meshcall/
USER 101

# Only these variables are substituted, so nginx's own $variables survive envsubst untouched.
ENV NGINX_ENVSUBST_FILTER="^(GATEWAY_|AUTH_SERVERS|ROOMS_SERVERS|SIGNALING_SERVERS|WEB_SERVERS|SIGN_IN_RATE|TLS_CERTIFICATE|TURNS_SERVERS)" \
    GATEWAY_PORT=8080 \
    GATEWAY_ACCESS_LOG=/dev/stdout \
    SIGN_IN_RATE=30r/m
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --retries=5 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
