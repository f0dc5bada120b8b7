#!/usr/bin/env bash
# Build the learners' image for Zero to JupyterHub with repo2docker (needs Docker): the course at
# /srv/course, JupyterHub's single-user server, the offline pack baked in at /srv/course/assets.
# Usage: workshop/z2jh/build_image.sh registry.example.org/course-workshop:2026-12 [--push]
set -euo pipefail
image=${1:?usage: workshop/z2jh/build_image.sh IMAGE:TAG [--push]}
shift
cd "$(dirname "$0")/../.."
jupyter-repo2docker --no-run --user-name jovyan --target-repo-dir /srv/course \
  --image-name "$image" --appendix "$(cat workshop/z2jh/appendix.Dockerfile)" "$@" .
