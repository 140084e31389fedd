# user/apps/: example apps on the port API.
