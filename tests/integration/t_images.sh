# Sourced by run.sh: the image cache: paged list (tokens, clamping, a
# deletion between pages), usage, detail by plain, URL-encoded and Docker Hub
# long names, delete (409 while a box runs any tag under any spelling), the
# seed's determinism and the serve flavor's single page. And `boxtop images`
# against it: the table and --json checked against the simulator's own list,
# and a server that is gone (exit 1, one line on stderr, nothing on stdout).

BOXTOP=${BOXTOP:-build/boxtop}
# img_bt ARGS...: boxtop with no settings but its flags; sets IMG_RC, output
# in $TMP/img.out and $TMP/img.err.
img_bt() {
	env -u BOXLITE_REST_URL -u BOXLITE_API_KEY -u BOXLITE_PROFILE -u BOXLITE_HOME \
		-u BOXLITE_REST_PATH_PREFIX -u XDG_CONFIG_HOME HOME="$TMP" "$BOXTOP" "$@" \
		>"$TMP/img.out" 2>"$TMP/img.err" </dev/null
	IMG_RC=$?
}
# img_is DESC GOT WANT
img_is() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3' ($(head -c 300 "$TMP/img.err"))"; fi
}

start_sim images --port 0 --seed 1 --prefix team
IMAGES_PID=$PID
I=/v1/team/images
req GET "$I?pageSize=1000"
expect 'image list' 200
decodes image_list 'image list'
ALL=$(jq '.images | length' "$TMP/body")
cp "$TMP/body" "$TMP/images1"
check 'a dozen images or more' test "$ALL" -ge 12
field 'digests are sha256' '[.images[].id | test("^sha256:[0-9a-f]{64}$")] | all' true
field 'digests differ' '[.images[].id] | unique | length' "$ALL"
field 'reference is repository:tag' '[.images[] | .reference == .repository + ":" + .tag] | all' true
field 'cached before 2026-11-01' \
	'[.images[].cached_at | test("^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]{8}Z$") and . < "2026-11-01"] | all' true
field 'listed in pull order' '[.images[].cached_at] == ([.images[].cached_at] | sort)' true
field 'sizes positive' '[.images[].size_bytes > 0] | all' true
field 'one page has no token' 'has("next_page_token")' false
req GET "$I"
field 'default page holds all' '.images | length' "$ALL"

# boxtop images --json: one line, the server's ImageInfo exactly, and its usage
req GET "$I/usage"
cp "$TMP/body" "$TMP/usage1"
img_bt --url "$URL" images --json
img_is 'images --json: exit 0' "$IMG_RC" 0
img_is 'images --json: nothing on stderr' "$(cat "$TMP/img.err")" ""
img_is 'images --json: one line' "$(wc -l <"$TMP/img.out")" 1
img_is 'images --json: the images as the server lists them' "$(jq -S -c .images "$TMP/img.out")" \
	"$(jq -S -c .images "$TMP/images1")"
img_is 'images --json: the usage as the server says it' "$(jq -S -c .usage "$TMP/img.out")" \
	"$(jq -S -c . "$TMP/usage1")"
# the table: a title row, then one row per image in the server's order, ids shortened
img_bt --url "$URL" images
img_is 'images: exit 0' "$IMG_RC" 0
img_is 'images: the title row' "$(head -1 "$TMP/img.out" | tr -s ' ')" 'REPOSITORY TAG ID SIZE CACHED'
img_is 'images: a row per image' "$(($(wc -l <"$TMP/img.out") - 1))" "$ALL"
img_is 'images: repository and tag of each, in order' \
	"$(awk 'NR > 1 {print $1 ":" $2}' "$TMP/img.out")" "$(jq -r '.images[].reference' "$TMP/images1")"
img_is 'images: the id as docker shows it' "$(awk 'NR > 1 {print $3}' "$TMP/img.out")" \
	"$(jq -r '.images[].id[7:19]' "$TMP/images1")"
img_is 'images: sizes in binary units' "$(awk 'NR > 1 && !/ [0-9.]+ [KMG]iB /' "$TMP/img.out")" ""

# Paging by two: every image once, in order, then no token.
seen=()
tok=""
pages=0
while :; do
	q="pageSize=2"
	[ -n "$tok" ] && q="$q&pageToken=$tok"
	req GET "$I?$q"
	expect "image page $pages" 200
	decodes image_list "image page $pages"
	pages=$((pages + 1))
	while read -r r; do seen+=("$r"); done < <(jq -r '.images[].reference' "$TMP/body")
	tok=$(jq -r '.next_page_token // empty' "$TMP/body")
	[ -z "$tok" ] || [ "$pages" -gt 50 ] && break
done
check 'paging by two sees every image' test "${#seen[@]}" -eq "$ALL"
check 'paging by two sees each once' test "$(printf '%s\n' "${seen[@]}" | sort -u | wc -l)" -eq "$ALL"
check 'paging keeps the order' test "$(printf '%s\n' "${seen[@]}")" = \
	"$(jq -r '.images[].reference' "$TMP/images1")"
check 'paging takes ceil(n/2) pages' test "$pages" -eq $(((ALL + 1) / 2))
req GET "$I?pageSize=0"
field 'image pageSize 0 clamps to 1' '.images | length' 1
field 'image pageSize 0 has a token' '.next_page_token | type' string
req GET "$I?pageSize=5000"
field 'image pageSize clamps to 1000' '.images | length' "$ALL"
req GET "$I?pageToken=0123456789abcdef"
error_is 'made-up image token' 400 InvalidArgumentError invalid_argument
field 'made-up image token message' .error.message 'invalid pageToken'
req GET "$I?pageToken="
error_is 'empty image token' 400 InvalidArgumentError invalid_argument
req GET "/v1/team/boxes?pageSize=2"
BOX_TOKEN=$(jq -r .next_page_token "$TMP/body")
req GET "$I?pageToken=$BOX_TOKEN"
error_is 'a boxes token on images' 400 InvalidArgumentError invalid_argument
req GET "$I?pageSize=two"
error_is 'bad image pageSize' 400 InvalidArgumentError invalid_argument
req GET "$I?pageSize=2x"
error_is 'trailing junk image pageSize' 400 InvalidArgumentError invalid_argument

req GET "$I/usage"
expect 'usage' 200
decodes image_usage usage
field 'usage count' .count "$ALL"
field 'usage limit' .limit 50
field 'usage bytes are the sizes summed' .known_bytes \
	"$(jq '[.images[].size_bytes] | add' "$TMP/images1")"
req POST "$I/usage"
expect 'usage wrong method' 405
check 'usage Allow header' grep -qi '^allow: GET' "$TMP/hdr"
req PUT "$I/alpine"
expect 'detail wrong method' 405
check 'detail Allow header' grep -qi '^allow: GET, DELETE' "$TMP/hdr"
req PATCH "$I"
expect 'list wrong method' 405

req GET "$I/alpine"
expect 'detail' 200
decodes image_detail detail
field 'detail name' .name alpine
field 'detail tags' '.tags | sort | join(",")' '3.20,latest'
field 'official image curated' .curated true
field 'versions carry source refs' '[.versions[].source_ref] | sort | join(",")' 'alpine:3.20,alpine:latest'
field 'versions newest first' '[.versions[].recorded_at] == ([.versions[].recorded_at] | sort | reverse)' true
field 'tags follow versions' '[.versions[].source_ref | sub("^alpine:"; "")] == .tags' true
field 'version digest is the listed id' '.versions[] | select(.source_ref == "alpine:3.20") | .digest' \
	"$(jq -r '.images[] | select(.reference == "alpine:3.20") | .id' "$TMP/images1")"
cp "$TMP/body" "$TMP/alpine"
req GET "$I/docker.io%2Flibrary%2Falpine"
expect 'detail by Docker Hub long name' 200
check 'long name answers the short one' cmp -s "$TMP/body" "$TMP/alpine"
req GET "$I/library%2Falpine"
field 'library/ name' .name alpine
req GET "$I/ghcr.io%2Facme%2Fworker"
expect 'detail by encoded slash' 200
decodes image_detail 'encoded detail'
field 'encoded name' .name ghcr.io/acme/worker
field 'two worker tags' '.tags | sort | join(",")' '1.3.0,1.4.2'
field 'registry image not curated' .curated false
req GET "$I/ghcr.io%2Facme%2Fworker%3A1.4.2"
error_is 'a name with a tag is not a name' 404 NotFoundError not_found
req GET "$I/docker.io%2Fghcr.io%2Facme%2Fworker"
expect 'Docker Hub host on another registry' 404
req GET "$I/nope"
error_is 'missing image' 404 NotFoundError not_found
field 'missing image message' '.error.message' 'image not found: nope'
req GET "/v1/team/boxes/a%2Fb"
error_is 'slash still refused in box ids' 400 InvalidArgumentError invalid_argument

# A deletion between pages skips nothing: the token means "after this one".
req GET "$I?pageSize=2"
tok=$(jq -r .next_page_token "$TMP/body")
SECOND=$(jq -r '.images[1].repository' "$TMP/body")
THIRD=$(jq -r '.images[2].reference' "$TMP/images1")
req GET "/v1/team/boxes?pageSize=1000"
jq -r '.boxes[] | select(.image | startswith("'"$SECOND"':")) | .box_id' "$TMP/body" >"$TMP/users"
while read -r b; do req DELETE "/v1/team/boxes/$b?force=true"; done <"$TMP/users"
req DELETE "$I/$SECOND"
expect 'delete an image of the page read' 204
req GET "$I?pageSize=2&pageToken=$tok"
expect 'token after a deletion' 200
field 'the next page starts where it was' '.images[0].reference' "$THIRD"

# Delete: refused while a box runs it, then gone for good once free.
req GET "/v1/team/boxes?pageSize=1000"
USED_REF=$(jq -r '.boxes[0].image' "$TMP/body")
USED=${USED_REF%:*}
USED_ENC=${USED//\//%2F}
req DELETE "$I/$USED_ENC"
error_is 'delete image in use' 409 InvalidStateError invalid_state
field 'in use message' .error.message "image $USED_REF is in use by a box"
req GET "$I/$USED_ENC"
expect 'refused delete kept it' 200
req DELETE "$I/busybox"
expect 'delete unused image' 204
req GET "$I/busybox"
expect 'deleted image gone' 404
req DELETE "$I/busybox"
error_is 'delete again' 404 NotFoundError not_found
field 'delete again message' .error.message 'image not found: busybox'
req GET "$I?pageSize=1000"
field 'two fewer in the list' '.images | length' $((ALL - 2))
field 'busybox not listed' '[.images[].repository] | index("busybox")' null
req GET "$I/usage"
field 'usage count dropped' .count $((ALL - 2))
req DELETE "$I/quay.io%2Facme%2Fapp"
expect 'delete by encoded name' 204
req DELETE "$I/docker.io%2Flibrary%2Fdebian"
expect 'delete by Docker Hub long name' 204
req GET "$I/debian"
expect 'long-name delete removed it' 404

# A box that runs an image under its long name holds it too.
req POST /v1/team/boxes -d '{"name":"img-user","image":"docker.io/library/nginx:1.27"}'
expect 'box on a long image name' 201
req DELETE "$I/nginx"
error_is 'long-named image in use' 409 InvalidStateError invalid_state
field 'long-named in use message' .error.message 'image nginx:1.27 is in use by a box'
req DELETE /v1/team/boxes/img-user
expect 'its box deleted' 204
req DELETE "$I/nginx"
expect 'free once the box is gone' 204
# The default image of a new box, alpine:latest, holds alpine (once no box
# runs alpine:3.20, which would be named first).
req GET "/v1/team/boxes?pageSize=1000"
jq -r '.boxes[] | select(.image == "alpine:3.20") | .box_id' "$TMP/body" >"$TMP/users"
while read -r b; do req DELETE "/v1/team/boxes/$b?force=true"; done <"$TMP/users"
req POST /v1/team/boxes -d '{"name":"img-default"}'
expect 'box on the default image' 201
req DELETE "$I/alpine"
field 'default image in use' .error.message 'image alpine:latest is in use by a box'
req DELETE /v1/team/boxes/img-default
# So does "docker.io/alpine": Docker Hub's host, no library/, no tag.
req POST /v1/team/boxes -d '{"name":"img-bare","image":"docker.io/alpine"}'
req DELETE "$I/alpine"
field 'untagged long name in use' .error.message 'image alpine:latest is in use by a box'
req DELETE /v1/team/boxes/img-bare
req DELETE "$I/alpine"
expect 'alpine free once its boxes are gone' 204
stop_sim "$IMAGES_PID" images

# boxtop images against a server that is gone: exit 1, one line naming it, no output
for fmt in "" --json; do
	img_bt --url "$URL" images ${fmt:+"$fmt"}
	img_is "images $fmt, server gone: exit 1" "$IMG_RC" 1
	img_is "images $fmt, server gone: nothing on stdout" "$(wc -c <"$TMP/img.out")" 0
	img_is "images $fmt, server gone: one line on stderr" "$(wc -l <"$TMP/img.err")" 1
	check "images $fmt, server gone: names the URL and why" \
		grep -Eq "^boxtop: cannot reach $URL: .*(onnect|refused)" "$TMP/img.err"
done

# The same seed gives the same cache, another seed other digests.
start_sim images-same --port 0 --seed 1
req GET '/v1/images?pageSize=1000'
check 'image cache is deterministic' cmp -s "$TMP/body" "$TMP/images1"
stop_sim "$PID" images-same
start_sim images-other --port 0 --seed 2
req GET '/v1/images?pageSize=1000'
check 'another seed, other digests' test "$(jq -r '.images[0].id' "$TMP/body")" != \
	"$(jq -r '.images[0].id' "$TMP/images1")"
field 'another seed, the same references' '[.images[].reference] | join(",")' \
	"$(jq -r '[.images[].reference] | join(",")' "$TMP/images1")"
stop_sim "$PID" images-other

start_sim images-serve --port 0 --flavor serve
IMAGES_SERVE_PID=$PID
req GET '/v1/images?pageSize=2'
expect 'serve flavor images' 200
decodes image_list 'serve flavor images'
field 'serve flavor does not page images' '.images | length' "$ALL"
field 'serve flavor sends no image token' 'has("next_page_token")' false
req GET '/v1/images'
field 'serve flavor default page' '.images | length' "$ALL"
req GET '/v1/images/usage'
expect 'serve flavor usage: a local cache has no limit' 400
field 'serve flavor usage: unsupported' .error.code unsupported
stop_sim "$IMAGES_SERVE_PID" images-serve
