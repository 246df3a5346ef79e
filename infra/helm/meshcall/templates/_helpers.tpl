{{/* Names and labels. */}}
{{- define "meshcall.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "meshcall.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "signaling"). */}}
{{- define "meshcall.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "meshcall.componentLabels" -}}
{{ include "meshcall.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "meshcall.image" -}}
{{- $image := index .root.Values.images .component -}}
{{- if .root.Values.imageRegistry -}}
{{- printf "%s/%s:%s" .root.Values.imageRegistry $image.repository $image.tag -}}
{{- else -}}
{{- printf "%s:%s" $image.repository $image.tag -}}
{{- end -}}
{{- end -}}

{{/* The Secret every secret value is read from: the operator's, or the one this chart creates. */}}
{{- define "meshcall.secretName" -}}
{{- default (include "meshcall.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "meshcall.secretEnv" -}}
- name: {{ .key }}
  valueFrom:
    secretKeyRef:
      name: {{ include "meshcall.secretName" .root }}
      key: {{ .key }}
{{- if .optional }}
      optional: true
{{- end }}
{{- end -}}

{{/* The services' port; every service image listens on it (services/Dockerfile: PORT=3000). */}}
{{- define "meshcall.servicePort" -}}3000{{- end -}}

{{- define "meshcall.serviceHost" -}}
{{- printf "%s-%s.%s.svc.%s" (include "meshcall.fullname" .root) .component .root.Release.Namespace .root.Values.gateway.clusterDomain -}}
{{- end -}}

{{/* What auth, rooms and signaling share: production mode, listen address, origins, proxies. */}}
{{- define "meshcall.commonServiceEnv" -}}
- name: NODE_ENV
  value: production
- name: HOST
  value: 0.0.0.0
- name: PORT
  value: {{ include "meshcall.servicePort" . | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
- name: ALLOWED_ORIGINS
  value: {{ trimSuffix "/" .Values.publicUrl | quote }}
# Only the gateway reaches the services (NetworkPolicy); its pod addresses are the proxies.
- name: TRUST_PROXY
  value: {{ .Values.trustProxy | quote }}
{{- end -}}

{{- define "meshcall.redisEnv" -}}
{{- if .Values.redis.clusterNodes }}
- name: REDIS_CLUSTER_NODES
  value: {{ join "," .Values.redis.clusterNodes | quote }}
{{- else }}
{{ include "meshcall.secretEnv" (dict "root" . "key" "REDIS_URL") }}
{{- end }}
{{- end -}}

{{- define "meshcall.jwksUrl" -}}
{{- printf "http://%s:%s/.well-known/jwks.json" (include "meshcall.serviceHost" (dict "root" .root "component" .component)) (include "meshcall.servicePort" .root) -}}
{{- end -}}

{{/*
Hardened container defaults; the argument is the image's user id, given as a number because the
node and coturn images name their users ("node", "nobody"), which runAsNonRoot cannot verify.
*/}}
{{- define "meshcall.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: {{ . }}
runAsGroup: {{ . }}
capabilities:
  drop: [ALL]
{{- end -}}

{{- define "meshcall.podSecurityContext" -}}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Probes of a Fastify service: /healthz (alive) and /readyz (its dependencies answer). */}}
{{- define "meshcall.serviceProbes" -}}
startupProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 2
  failureThreshold: 30
livenessProbe:
  httpGet: { path: /healthz, port: http }
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /readyz, port: http }
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 2
{{- end -}}
