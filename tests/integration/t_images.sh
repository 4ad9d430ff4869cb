# Sourced by run.sh: the image cache: paged list, usage, detail by plain and
# URL-encoded names, delete (409 while a box uses it), the serve flavor.

start_sim images --port 0 --seed 1 --prefix team
IMAGES_PID=$PID
I=/v1/team/images
req GET "$I?pageSize=1000"
expect 'image list' 200
decodes image_list 'image list'
ALL=$(jq '.images | length' "$TMP/body")
check 'a dozen images or more' test "$ALL" -ge 12
field 'digests are sha256' '[.images[].id | test("^sha256:[0-9a-f]{64}$")] | all' true
field 'reference is repository:tag' '[.images[] | .reference == .repository + ":" + .tag] | all' true
field 'one page has no token' 'has("next_page_token")' false

# Paging by two: every image once, in order, then no token.
seen=()
tok=""
pages=0
while :; do
	q="pageSize=2"
	[ -n "$tok" ] && q="$q&pageToken=$tok"
	req GET "$I?$q"
	pages=$((pages + 1))
	while read -r r; do seen+=("$r"); done < <(jq -r '.images[].reference' "$TMP/body")
	tok=$(jq -r '.next_page_token // empty' "$TMP/body")
	[ -z "$tok" ] || [ "$pages" -gt 50 ] && break
done
check 'paging by two sees every image' test "${#seen[@]}" -eq "$ALL"
check 'paging by two sees each once' test "$(printf '%s\n' "${seen[@]}" | sort -u | wc -l)" -eq "$ALL"
check 'paging takes ceil(n/2) pages' test "$pages" -eq $(((ALL + 1) / 2))
req GET "$I?pageToken=0123456789abcdef"
error_is 'made-up image token' 400 InvalidArgumentError invalid_argument
req GET "$I?pageSize=two"
error_is 'bad image pageSize' 400 InvalidArgumentError invalid_argument

req GET "$I/usage"
expect 'usage' 200
decodes image_usage usage
field 'usage count' .count "$ALL"
field 'usage limit' .limit 50
field 'usage bytes' '.known_bytes > 0' true
req POST "$I/usage"
expect 'usage wrong method' 405

req GET "$I/alpine"
expect 'detail' 200
decodes image_detail detail
field 'detail name' .name alpine
field 'detail tags' '.tags | sort | join(",")' '3.20,latest'
field 'official image curated' .curated true
field 'versions carry source refs' '[.versions[].source_ref] | sort | join(",")' 'alpine:3.20,alpine:latest'
req GET "$I/ghcr.io%2Facme%2Fworker"
expect 'detail by encoded slash' 200
decodes image_detail 'encoded detail'
field 'encoded name' .name ghcr.io/acme/worker
field 'two worker tags' '.tags | length' 2
field 'registry image not curated' .curated false
req GET "$I/nope"
error_is 'missing image' 404 NotFoundError not_found
field 'missing image message' '.error.message' 'image not found: nope'
req GET "/v1/team/boxes/a%2Fb"
error_is 'slash still refused in box ids' 400 InvalidArgumentError invalid_argument

# Delete: refused while a box runs it, then gone for good once free.
req DELETE "$I/postgres"
error_is 'delete image in use' 409 InvalidStateError invalid_state
req DELETE "$I/busybox"
expect 'delete unused image' 204
req GET "$I/busybox"
expect 'deleted image gone' 404
req DELETE "$I/busybox"
expect 'delete again' 404
req GET "$I?pageSize=1000"
field 'one fewer in the list' '.images | length' $((ALL - 1))
field 'busybox not listed' '[.images[].repository] | index("busybox")' null
req GET "$I/usage"
field 'usage count dropped' .count $((ALL - 1))
req DELETE "$I/quay.io%2Facme%2Fapp"
expect 'delete by encoded name' 204
stop_sim "$IMAGES_PID" images

start_sim images-serve --port 0 --flavor serve
IMAGES_SERVE_PID=$PID
req GET '/v1/images?pageSize=2'
field 'serve flavor does not page images' '.images | length > 2' true
field 'serve flavor sends no image token' 'has("next_page_token")' false
stop_sim "$IMAGES_SERVE_PID" images-serve
