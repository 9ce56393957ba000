# Developer conveniences. The README's two commands need no make.
SOCKETIO_VERSION = 4.8.4
D3_CLOUD_VERSION = 1.2.9
AXE_VERSION = 4.14.1

.PHONY: run test vendor translations

run:
	scripts/start

test:
	scripts/test

# Refresh vendored browser libraries from the npm registry (versions above; update VENDOR.md too).
vendor:
	rm -rf build/vendor && mkdir -p build/vendor
	cd build/vendor && npm init -y >/dev/null && npm install --silent --no-audit --no-fund \
	  socket.io-client@$(SOCKETIO_VERSION) d3-cloud@$(D3_CLOUD_VERSION) axe-core@$(AXE_VERSION)
	cp build/vendor/node_modules/socket.io-client/dist/socket.io.min.js static/vendor/
	cp build/vendor/node_modules/socket.io-client/LICENSE static/vendor/socket.io-client.LICENSE
	cp build/vendor/node_modules/d3-cloud/build/d3.layout.cloud.js static/vendor/
	cp build/vendor/node_modules/d3-cloud/LICENSE static/vendor/d3-cloud.LICENSE
	cp build/vendor/node_modules/axe-core/axe.min.js tests/e2e/vendor/
	cp build/vendor/node_modules/axe-core/LICENSE tests/e2e/vendor/axe-core.LICENSE

# Extract UI strings and update the catalogues, then compile them.
translations:
	.venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _pl:1,2 -o workshop/translations/messages.pot .
	.venv/bin/pybabel update -N -i workshop/translations/messages.pot -d workshop/translations
	.venv/bin/pybabel compile -d workshop/translations
