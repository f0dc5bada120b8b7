# Appended by repo2docker to the learners' image (workshop/z2jh/build_image.sh): the single-user
# server of the chart's JupyterHub, and the offline pack built once into the image, read-only.
RUN python -m pip install --no-cache-dir "jupyterhub==5.5.0" \
 && COURSE_CACHE=/srv/course/assets python /srv/course/data_scripts/ensure_assets.py \
 && chmod -R a-w /srv/course/assets
ENV COURSE_ASSETS=/srv/course/assets COURSE_PROFILE=offline COURSE_THREADS=1
