#!/usr/bin/env bash
# The pull-request preview on GitHub Pages: previews/pr-<N>/ on the gh-pages branch.
#
# Run by the privileged workflows (pr-preview-deploy.yml, pr-preview-cleanup.yml) from the
# base repository's own checkout: it never runs anything from the pull request. The
# artifact it deploys was built by the unprivileged pull-request workflow, so it is
# untrusted data: `assemble` checks every path before anything is published.
#
#   pr-preview.sh assemble ARTIFACTS OUT    merge the downloaded preview-* artifacts into OUT
#   pr-preview.sh publish PR SITE           put SITE at previews/pr-PR/ on origin's gh-pages and push
#   pr-preview.sh remove PR                 delete previews/pr-PR/ from origin's gh-pages and push
#   pr-preview.sh comment URL < OLD > NEW   the diff comment with the preview section set (URL) or dropped ("")
#
# publish/remove run in a git repository whose `origin` is the repository to push to.
set -euo pipefail

MARKER='<!-- reglament-preview -->'
DIFF_MARKER='<!-- reglament-diff -->'
# limits for an artifact: a real preview is a few megabytes per company
MAX_FILES=${PREVIEW_MAX_FILES:-50000}
MAX_BYTES=${PREVIEW_MAX_BYTES:-1073741824}
BRANCH=${PREVIEW_BRANCH:-gh-pages}

die() {
  echo "::error::$*" >&2
  exit 1
}

pr_number() {
  [[ "$1" =~ ^[1-9][0-9]{0,9}$ ]] || die "not a pull-request number: '$1'"
}

# Every entry is a plain directory or regular file with a safe name: no symlink (it could point
# at the runner's files), no device/fifo, no hidden name (.git, .nojekyll tricks) but the build's
# .reglament-site marker, no character outside a plain set; at most MAX_FILES files and MAX_BYTES bytes.
validate() {
  local dir=$1 bad count bytes
  bad=$(find "$dir" -mindepth 1 \( ! -type f ! -type d \) -print -quit)
  [ -z "$bad" ] || die "the preview artifact holds something that is not a file or folder: ${bad#"$dir"/}"
  bad=$(find "$dir" -mindepth 1 -name '.*' ! \( -type f -name .reglament-site \) -print -quit)
  [ -z "$bad" ] || die "the preview artifact holds a hidden name: ${bad#"$dir"/}"
  bad=$(LC_ALL=C find "$dir" -mindepth 1 -name '*[^A-Za-z0-9._~+@=,()-]*' -print -quit)
  [ -z "$bad" ] || die "the preview artifact holds a name with characters outside A-Z a-z 0-9 . _ ~ + @ = , ( ) -: ${bad#"$dir"/}"
  count=$(find "$dir" -type f | wc -l)
  [ "$count" -le "$MAX_FILES" ] || die "the preview artifact holds $count files (at most $MAX_FILES)"
  bytes=$(find "$dir" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  [ "$bytes" -le "$MAX_BYTES" ] || die "the preview artifact holds $bytes bytes (at most $MAX_BYTES)"
}

assemble() {
  local artifacts=$1 out=$2 parts=() part rel
  [ -d "$artifacts" ] || die "no artifacts folder: $artifacts"
  validate "$artifacts"
  for part in "$artifacts"/preview-*; do
    [ -d "$part" ] && parts+=("$part")
  done
  [ "${#parts[@]}" -gt 0 ] || die "no preview-* artifact in $artifacts"
  [ ! -e "$out" ] || die "$out exists already"
  mkdir -p "$out"
  if [ "${#parts[@]}" -eq 1 ]; then
    [ -f "${parts[0]}/index.html" ] || die "the preview artifact has no index.html"
    cp -R "${parts[0]}/." "$out/"
    return
  fi
  # several build jobs: each artifact is index.html plus one folder per company of that job;
  # the folders are joined (never one over another) and the index lists them all
  for part in "${parts[@]}"; do
    while IFS= read -r -d '' rel; do
      rel=${rel#"$part"/}
      if [ -f "$part/$rel" ]; then
        [ "$rel" = index.html ] || die "${part##*/}: '$rel' is not in a company folder"
        continue
      fi
      [ ! -e "$out/$rel" ] || die "the company folder $rel is in two preview artifacts"
      [ -f "$part/$rel/index.html" ] || die "the company folder $rel has no index.html"
      cp -R "$part/$rel" "$out/$rel"
    done < <(find "$part" -mindepth 1 -maxdepth 1 -print0)
  done
  {
    printf '<!doctype html>\n<html lang="ru">\n<head><meta charset="utf-8"><title>Предпросмотр</title></head>\n'
    printf '<body>\n<h1>Предпросмотр</h1>\n<ul>\n'
    find "$out" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | LC_ALL=C sort | while IFS= read -r company; do
      # names passed `validate`: no character that needs escaping in HTML
      printf '<li><a href="%s/index.html">%s</a></li>\n' "$company" "$company"
    done
    printf '</ul>\n</body>\n</html>\n'
  } > "$out/index.html"
}

# Check out origin's gh-pages into a temporary worktree (an empty new branch when there is none).
checkout_pages() {
  local work=$1
  if git fetch -q origin "+refs/heads/$BRANCH:refs/remotes/origin/$BRANCH" 2> /dev/null; then
    git worktree add -q --detach "$work" "refs/remotes/origin/$BRANCH"
  else
    git worktree add -q --detach "$work"
    git -C "$work" checkout -q --orphan "preview-pages-new"
    git -C "$work" rm -rfq . > /dev/null 2>&1 || true
    git -C "$work" clean -fdxq
  fi
}

# Apply a change to previews/pr-N/ on gh-pages and push; a concurrent push (publish, another
# preview) makes the push fail: fetch again and redo the change, a few times.
update_pages() {
  local pr=$1 site=$2 message=$3 attempt work
  for attempt in 1 2 3 4 5; do
    work=$(mktemp -d)
    rmdir "$work"
    checkout_pages "$work"
    rm -rf "$work/previews/pr-$pr"
    if [ -n "$site" ]; then
      mkdir -p "$work/previews"
      cp -R "$site" "$work/previews/pr-$pr"
      # GitHub Pages must serve the files as they are
      [ -e "$work/.nojekyll" ] || : > "$work/.nojekyll"
    fi
    git -C "$work" add -A
    if git -C "$work" diff --cached --quiet; then
      echo "gh-pages: previews/pr-$pr is already as it should be" >&2
      git worktree remove --force "$work"
      return 0
    fi
    git -C "$work" commit -qm "$message"
    if git -C "$work" push -q origin "HEAD:refs/heads/$BRANCH"; then
      echo "pushed $BRANCH to origin: $message" >&2
      git worktree remove --force "$work"
      return 0
    fi
    git worktree remove --force "$work"
    echo "the push of $BRANCH was rejected (attempt $attempt): trying again" >&2
    sleep $((attempt * 2))
  done
  die "could not push $BRANCH after 5 attempts"
}

publish() {
  pr_number "$1"
  [ -f "$2/index.html" ] || die "$2 has no index.html"
  update_pages "$1" "$(cd "$2" && pwd)" "Предпросмотр запроса #$1"
}

remove() {
  pr_number "$1"
  if ! git ls-remote --exit-code -q origin "refs/heads/$BRANCH" > /dev/null; then
    echo "origin has no $BRANCH: nothing to remove" >&2
    return 0
  fi
  update_pages "$1" "" "Предпросмотр запроса #$1 удалён: запрос закрыт"
}

# The diff comment with the preview section (from MARKER to the end) replaced by the link, or
# dropped when URL is empty. A body without the diff marker starts with it.
comment() {
  local url=$1 body
  body=$(cat)
  body=${body%%"$MARKER"*}
  body=${body%"${body##*[![:space:]]}"}
  [ -n "$body" ] || body=$DIFF_MARKER
  [[ "$body" == "$DIFF_MARKER"* ]] || body="$DIFF_MARKER"$'\n'"$body"
  printf '%s\n' "$body"
  if [ -n "$url" ]; then
    [[ "$url" =~ ^https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~/-]*)?$ ]] || die "not a preview address: '$url'"
    printf '\n%s\n**Предпросмотр:** %s — сайт из этого запроса, только публичные варианты; ' "$MARKER" "$url"
    printf 'обновляется с каждым изменением и удаляется, когда запрос закрыт.\n'
  fi
}

case "${1:-}" in
  assemble) assemble "$2" "$3" ;;
  publish) publish "$2" "$3" ;;
  remove) remove "$2" ;;
  comment) comment "$2" ;;
  *) die "usage: pr-preview.sh assemble|publish|remove|comment …" ;;
esac
