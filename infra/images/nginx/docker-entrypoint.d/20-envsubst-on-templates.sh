#!/bin/sh
# As in the official image: every NGINX_ENVSUBST_TEMPLATE_DIR/**/*NGINX_ENVSUBST_TEMPLATE_SUFFIX
# [/etc/nginx/templates, .template] is rendered into NGINX_ENVSUBST_OUTPUT_DIR [/etc/nginx/conf.d]
# with envsubst, replacing only variables that are set in the environment (optionally only those
# whose names match NGINX_ENVSUBST_FILTER), so nginx's own $variables pass through untouched.
# Stream templates likewise, from NGINX_ENVSUBST_STREAM_TEMPLATE_DIR [/etc/nginx/stream_templates]
# into NGINX_ENVSUBST_STREAM_OUTPUT_DIR [/etc/nginx/stream_conf.d], which the image's nginx.conf
# must include in a stream block (the gateway image adds it: the TLS edge of the TLS overlay).
set -eu

suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
filter=${NGINX_ENVSUBST_FILTER:-}

# "${NAME} ${OTHER} ...": the list of variables envsubst may replace, one word per name.
# shellcheck disable=SC2016,SC2046
defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print (name ~ /${filter}/) ? name : \"\" } }" </dev/null))

render() {
  template_dir=$1
  output_dir=$2
  [ -d "$template_dir" ] || return 0
  if [ ! -w "$output_dir" ]; then
    echo "$0: ERROR: $template_dir exists, but $output_dir is not writable" >&2
    return 0
  fi
  find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
    relative_path=${template#"$template_dir/"}
    output_path="$output_dir/${relative_path%"$suffix"}"
    mkdir -p "$(dirname "$output_path")"
    echo "$0: rendering $template to $output_path"
    envsubst "$defined_envs" <"$template" >"$output_path"
  done
}

render "${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}" "${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
render "${NGINX_ENVSUBST_STREAM_TEMPLATE_DIR:-/etc/nginx/stream_templates}" "${NGINX_ENVSUBST_STREAM_OUTPUT_DIR:-/etc/nginx/stream_conf.d}"
