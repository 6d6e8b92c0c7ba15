"""axe-core, fetched from the npm registry at test time (pinned by digest, MPL-2.0)
and run in the page through the DevTools protocol, which the page's CSP does not stop."""

import hashlib
import io
import os
import tarfile
import urllib.request

VERSION = "4.11.0"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
SHA256 = "39bed7d72308f6d620789c169d699bfd7e8da80f65b545821a6b2215c3e83107"
CACHE = os.path.expanduser(f"~/.cache/motcua/axe-core-{VERSION}.tgz")

# WCAG 2.0-2.2 A and AA, with the target-size rule on and asking for 48 × 48 px
# (WCAG's AA minimum is 24; a kiosk is used standing, with a finger).
RUN = """async (minSize) => {
  axe.configure({
    rules: [{ id: "target-size", enabled: true, any: ["target-size"] }],
    checks: [{ id: "target-size", options: { minSize } }],
  });
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    rules: { "target-size": { enabled: true } },
  });
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}"""


def source():
    if not os.path.exists(CACHE):
        os.makedirs(os.path.dirname(CACHE), exist_ok=True)
        data = urllib.request.urlopen(TARBALL, timeout=60).read()
        with open(CACHE + ".part", "wb") as f:
            f.write(data)
        os.replace(CACHE + ".part", CACHE)
    data = open(CACHE, "rb").read()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == SHA256, f"axe-core tarball digest {digest}, expected {SHA256}"
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return tar.extractfile("package/axe.min.js").read().decode()


def violations(page, axe_source, min_size=48):
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    return page.evaluate(RUN, min_size)
