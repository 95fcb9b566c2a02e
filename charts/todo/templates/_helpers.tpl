{{/*
The name of one of the release's objects; call with (list $ "ai-todo-service").
The default release, named like the chart ("todo"), gets the plain names the docs and todoctl use
(ai-todo-service, mcp-server). Any other release prefixes them with its name, so two releases can
share a namespace. Only the release part is shortened, so every name stays a valid DNS label of at
most 63 characters and keeps the part that says what it is.
*/}}
{{- define "todo.objectName" -}}
{{- $root := index . 0 -}}
{{- $base := index . 1 -}}
{{- if eq $root.Release.Name $root.Chart.Name -}}
{{- $base -}}
{{- else -}}
{{- printf "%s-%s" ($root.Release.Name | trunc (int (sub 62 (len $base))) | trimSuffix "-") $base -}}
{{- end -}}
{{- end -}}

{{/* Names of the objects, in one place because templates refer to each other's objects. */}}
{{- define "todo.aiTodo.name" -}}{{ include "todo.objectName" (list . "ai-todo") }}{{- end -}}
{{- define "todo.aiTodo.serviceName" -}}{{ include "todo.objectName" (list . "ai-todo-service") }}{{- end -}}
{{- define "todo.aiTodo.configName" -}}{{ include "todo.objectName" (list . "ai-todo-config") }}{{- end -}}
{{- define "todo.mcpServer.name" -}}{{ include "todo.objectName" (list . "mcp-server") }}{{- end -}}
{{- define "todo.mcpServer.configName" -}}{{ include "todo.objectName" (list . "mcp-server-config") }}{{- end -}}
{{- define "todo.devPostgres.name" -}}{{ include "todo.objectName" (list . "todo-dev-postgres") }}{{- end -}}
{{- define "todo.chartSecretName" -}}{{ include "todo.objectName" (list . "todo-secret") }}{{- end -}}

{{/* The Secret the services read: the user's existingSecret, else the chart's own. */}}
{{- define "todo.secretName" -}}
{{- .Values.existingSecret | default (include "todo.chartSecretName" .) -}}
{{- end -}}

{{/*
Labels every object carries; call with (dict "root" $ "component" "ai-todo"), or without a component
for what the services share. todoctl finds pods, Services and Deployments by name, instance and
component.
*/}}
{{- define "todo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- if .component }}
{{ include "todo.selectorLabels" . }}
{{- else }}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: todo
{{- end -}}

{{/* The labels a component's selector matches: never change them, selectors are immutable. */}}
{{- define "todo.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image reference; call with (list $ .Values.aiTodo.image). The tag defaults to appVersion. */}}
{{- define "todo.image" -}}
{{- $root := index . 0 -}}
{{- $image := index . 1 -}}
{{- printf "%s:%s" $image.repository ($image.tag | default $root.Chart.AppVersion) -}}
{{- end -}}

{{/* ai-todo reaches mcp-server by its Service's short name: the same namespace resolves it first. */}}
{{- define "todo.mcpServerUrl" -}}
{{- printf "http://%s:%d/mcp" (include "todo.mcpServer.name" .) (int .Values.mcpServer.service.port) -}}
{{- end -}}

{{/*
The grace period Kubernetes gives a stopping pod: the serving delay, the drain, and a few seconds
for the process to exit. Shorter, and the kubelet would kill requests still being answered.
*/}}
{{- define "todo.terminationGracePeriodSeconds" -}}
{{- add (ceil .Values.shutdown.delaySeconds) .Values.shutdown.drainSeconds 5 -}}
{{- end -}}

{{/*
The probes of a service; call with the component's probes values. /healthz only says the process
answers (liveness, startup); /readyz also checks the database and fails while draining.
*/}}
{{- define "todo.probes" -}}
startupProbe:
  httpGet:
    path: /healthz
    port: http
  {{- toYaml .startup | nindent 2 }}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  {{- toYaml .liveness | nindent 2 }}
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  {{- toYaml .readiness | nindent 2 }}
{{- end -}}

{{/*
A value the chart generates when the user gives none, stable across upgrades; call with
(dict "root" $ "secret" <Secret name> "key" <key>). It is the value already in the cluster's Secret
when there is one (lookup finds nothing under `helm template` or a client-side dry run), else a new
random one. Remembered for the rest of the render, because several templates need the same value: a
Secret and the checksum over it, the development database's password and the URL pointing at it.
*/}}
{{- define "todo.generatedValue" -}}
{{- $memo := .root.Values._generated | default dict -}}
{{- $_ := set .root.Values "_generated" $memo -}}
{{- if not (hasKey $memo .secret) -}}
{{- $existing := lookup "v1" "Secret" .root.Release.Namespace .secret | default dict -}}
{{- $_ := set $memo .secret (dig "data" dict $existing) -}}
{{- end -}}
{{- $data := get $memo .secret -}}
{{- if not (get $data .key) -}}
{{- $_ := set $data .key (randAlphaNum 48 | b64enc) -}}
{{- end -}}
{{- get $data .key | b64dec -}}
{{- end -}}

{{/* The development database's password: generated, kept in its own Secret. */}}
{{- define "todo.devPostgres.password" -}}
{{- include "todo.generatedValue" (dict "root" . "secret" (include "todo.devPostgres.name" .) "key" "POSTGRES_PASSWORD") -}}
{{- end -}}

{{/* DATABASE_URL: the user's, or the development database's when that is enabled. */}}
{{- define "todo.databaseUrl" -}}
{{- if .Values.devPostgres.enabled -}}
{{- printf "postgresql+psycopg://todo:%s@%s:5432/todo" (include "todo.devPostgres.password" .) (include "todo.devPostgres.name" .) -}}
{{- else -}}
{{- .Values.secrets.databaseUrl -}}
{{- end -}}
{{- end -}}

{{/*
Combinations of values the schema cannot express; each fails with what to change rather than
deploying something that cannot work.
*/}}
{{- define "todo.validateValues" -}}
{{- with .Values.secrets.databaseUrl -}}
{{- if not (or (hasPrefix "postgresql://" .) (hasPrefix "postgres://" .) (hasPrefix "postgresql+psycopg://" .)) -}}
{{- fail "secrets.databaseUrl must be a PostgreSQL URL: postgresql://user:password@host:5432/db (Neon's form works as is)" -}}
{{- end -}}
{{- end -}}
{{- if lt (float64 .Values.shutdown.drainSeconds) (float64 .Values.config.chatTimeoutSeconds) -}}
{{- fail (printf "shutdown.drainSeconds (%v) must be at least config.chatTimeoutSeconds (%v): a stopping pod would cut chat turns still under way" .Values.shutdown.drainSeconds .Values.config.chatTimeoutSeconds) -}}
{{- end -}}
{{- if and .Values.config.agentTracing (not .Values.secrets.openaiApiKey) (not .Values.existingSecret) -}}
{{- fail "config.agentTracing sends traces to OpenAI and needs secrets.openaiApiKey (or an existingSecret holding OPENAI_API_KEY)" -}}
{{- end -}}
{{- if and .Values.devPostgres.enabled .Values.secrets.databaseUrl -}}
{{- fail "choose one database: secrets.databaseUrl or devPostgres.enabled, not both" -}}
{{- end -}}
{{- if .Values.existingSecret -}}
{{- range $key, $value := .Values.secrets -}}
{{- if $value -}}
{{- fail (printf "secrets.%s is not used when existingSecret is set: put it into Secret %q instead" $key $.Values.existingSecret) -}}
{{- end -}}
{{- end -}}
{{- if .Values.devPostgres.enabled -}}
{{- fail "devPostgres.enabled writes DATABASE_URL into the chart's own Secret: unset existingSecret, or put the database's URL into the existing Secret and disable devPostgres" -}}
{{- end -}}
{{- include "todo.checkExistingSecret" . -}}
{{- end -}}
{{- end -}}

{{/*
An existing Secret must hold MCP_AUTH_TOKEN: mcp-server refuses to start without it, since whoever
reaches an open tool server can act as any user. When Helm sees the cluster (install, upgrade,
--dry-run=server) the render fails unless the Secret is there and holds the key. A Secret that is
not found is told apart from no cluster at all by listing the namespace's Secrets: a cluster
answers with a list, even an empty one; `helm template` and client-side dry runs answer nothing.
Those cannot know, and the pods' required key and `helm test` catch it there.
*/}}
{{- define "todo.checkExistingSecret" -}}
{{- $namespace := .Release.Namespace -}}
{{- $name := .Values.existingSecret -}}
{{- $secret := lookup "v1" "Secret" $namespace $name -}}
{{- if $secret -}}
{{- if not (dig "data" "MCP_AUTH_TOKEN" "" $secret) -}}
{{- fail (printf `existingSecret: Secret %q has no MCP_AUTH_TOKEN, and mcp-server refuses to start without one. Add a random token, e.g.: kubectl --namespace %s patch secret %s --type merge -p "{\"stringData\":{\"MCP_AUTH_TOKEN\":\"$(openssl rand -hex 32)\"}}"` $name $namespace $name) -}}
{{- end -}}
{{- else if lookup "v1" "Secret" $namespace "" -}}
{{- fail (printf "existingSecret: Secret %q not found in namespace %s; create it first, with DATABASE_URL, MCP_AUTH_TOKEN and AUTH_JWT_SECRET (unless config.authJwksUrl is set)" $name $namespace) -}}
{{- end -}}
{{- end -}}

{{/* DNS, wherever the cluster runs it (kube-dns, a node-local cache): port 53 to any address. */}}
{{- define "todo.networkPolicy.dnsEgress" -}}
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
{{- end -}}

{{/* The address blocks outside the cluster that egress may reach, as NetworkPolicy peers. */}}
{{- define "todo.networkPolicy.external" -}}
{{- range .Values.networkPolicy.externalCidrs }}
- ipBlock:
    cidr: {{ . }}
{{- end }}
{{- end -}}

{{/*
The port of a URL; call with (list <url> <port when the URL names none and is https>). An http URL
without a port is 80.
*/}}
{{- define "todo.urlPort" -}}
{{- $url := urlParse (index . 0) -}}
{{- $host := $url.host -}}
{{- if regexMatch ":[0-9]+$" $host -}}
{{- regexFind "[0-9]+$" $host -}}
{{- else if eq $url.scheme "http" -}}
80
{{- else -}}
{{- index . 1 -}}
{{- end -}}
{{- end -}}

{{/* The ports of the model's endpoint and the JWKS, separated by spaces. */}}
{{- define "todo.networkPolicy.httpsPorts" -}}
{{- $ports := list (include "todo.urlPort" (list (.Values.config.openaiBaseUrl | default "https://api.openai.com/v1") "443")) -}}
{{- with .Values.config.authJwksUrl -}}
{{- $ports = append $ports (include "todo.urlPort" (list . "443")) -}}
{{- end -}}
{{- join " " $ports -}}
{{- end -}}

{{/*
Egress to the database: the development PostgreSQL's pods, or the external database's port
(from secrets.databaseUrl, else networkPolicy.databasePort) at the external address blocks.
*/}}
{{- define "todo.networkPolicy.databaseEgress" -}}
{{- if .Values.devPostgres.enabled -}}
- to:
    - podSelector:
        matchLabels:
          {{- include "todo.selectorLabels" (dict "root" $ "component" "dev-postgres") | nindent 10 }}
  ports:
    - port: 5432
      protocol: TCP
{{- else -}}
- to:
    {{- include "todo.networkPolicy.external" . | nindent 4 }}
  ports:
    {{- if .Values.secrets.databaseUrl }}
    - port: {{ include "todo.urlPort" (list .Values.secrets.databaseUrl "5432") | int }}
    {{- else }}
    - port: {{ .Values.networkPolicy.databasePort }}
    {{- end }}
      protocol: TCP
{{- end -}}
{{- end -}}
