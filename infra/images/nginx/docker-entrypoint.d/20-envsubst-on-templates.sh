#!/bin/sh
# As in the official image: every NGINX_ENVSUBST_TEMPLATE_DIR/**/*NGINX_ENVSUBST_TEMPLATE_SUFFIX
# [/etc/nginx/templates, .template] is rendered into NGINX_ENVSUBST_OUTPUT_DIR [/etc/nginx/conf.d]
# with envsubst, replacing only variables that are set in the environment (optionally only those
# whose names match NGINX_ENVSUBST_FILTER), so nginx's own $variables pass through untouched.
set -eu

template_dir=${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}
suffix=${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}
output_dir=${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}
filter=${NGINX_ENVSUBST_FILTER:-}

[ -d "$template_dir" ] || exit 0
if [ ! -w "$output_dir" ]; then
  echo "$0: ERROR: $template_dir exists, but $output_dir is not writable" >&2
  exit 0
fi

# "${NAME} ${OTHER} ...": the list of variables envsubst may replace, one word per name.
# shellcheck disable=SC2016,SC2046
defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print (name ~ /${filter}/) ? name : \"\" } }" </dev/null))

find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
  relative_path=${template#"$template_dir/"}
  output_path="$output_dir/${relative_path%"$suffix"}"
  mkdir -p "$(dirname "$output_path")"
  echo "$0: rendering $template to $output_path"
  envsubst "$defined_envs" <"$template" >"$output_path"
done
