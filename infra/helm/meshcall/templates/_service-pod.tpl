{{/*
The pod spec auth, rooms and signaling share: (dict "root" $ "component" "auth"), with the
component's own environment from the template "meshcall.<component>Env" and, optionally,
"lifecycle" and "terminationGracePeriodSeconds".
*/}}
{{- define "meshcall.servicePodSpec" -}}
{{- $values := index .root.Values .component -}}
automountServiceAccountToken: false
{{- with .terminationGracePeriodSeconds }}
terminationGracePeriodSeconds: {{ . }}
{{- end }}
securityContext:
  {{- include "meshcall.podSecurityContext" . | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
containers:
  - name: {{ .component }}
    image: {{ include "meshcall.image" . }}
    imagePullPolicy: {{ (index .root.Values.images .component).pullPolicy }}
    ports:
      - name: http
        containerPort: {{ include "meshcall.servicePort" .root }}
        protocol: TCP
    env:
      {{- include "meshcall.commonServiceEnv" .root | nindent 6 }}
      {{- include (printf "meshcall.%sEnv" .component) .root | nindent 6 }}
    {{- include "meshcall.serviceProbes" . | nindent 4 }}
    {{- with .lifecycle }}
    lifecycle:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    resources:
      {{- toYaml $values.resources | nindent 6 }}
    securityContext:
      {{- include "meshcall.containerSecurityContext" 1000 | nindent 6 }}
    volumeMounts:
      - { name: tmp, mountPath: /tmp }
volumes:
  - name: tmp
    emptyDir: {}
{{- end -}}

{{- define "meshcall.clusterService" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "meshcall.fullname" .root }}-{{ .component }}
  labels:
    {{- include "meshcall.componentLabels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "meshcall.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ include "meshcall.servicePort" .root }}
      targetPort: http
      protocol: TCP
{{- end -}}
