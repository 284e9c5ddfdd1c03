#!/bin/sh
# dracut pre-pivot hook (module 90arbor): when the kernel command line names a deployment with
# arbor=, make it the root at $NEWROOT before dracut switches to it. A failure has already
# printed one line; die() then stops the boot with dracut's emergency shell.
type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh

if getarg arbor= >/dev/null; then
    arbor-prepare-root "${NEWROOT:-/sysroot}" || die "arbor-prepare-root could not prepare the deployment named by arbor="
fi
