# package.nix: vfioc for nixpkgs, in callPackage style:
#   pkgs.callPackage ./package.nix { }
# Built with the Makefile (`make SHARED=1`, `make install PREFIX=$out`), so the package holds
# whatever `make install` installs. libpci is loaded at run time, not linked: the Makefile
# writes the directory pkg-config gives for libpci (pciutils' lib/ in the store) into the
# binary, where hw/libpci.c looks when the loader's search does not find it, and that
# path keeps pciutils in the package's run-time closure.
{ lib, stdenv, pkg-config, libyaml, pciutils, libxml2 }:

let
  # The version is the Makefile's, so it is written in one place.
  makefile = builtins.readFile ./Makefile;
  version = builtins.head (builtins.match ".*\nVERSION := ([0-9][^\n]*)\n.*" makefile);
in
stdenv.mkDerivation {
  pname = "vfioc";
  inherit version;

  # The repository without local build results (build/, ./vfioc, result links, .git).
  src = lib.cleanSourceWith {
    src = lib.cleanSource ./.;
    filter = path: type:
      !(builtins.elem (toString path) [ (toString ./build) (toString ./vfioc) ]);
  };

  nativeBuildInputs = [ pkg-config ];
  buildInputs = [ libyaml pciutils libxml2 ];

  # SHARED=1 links libyaml and libxml2 as shared libraries: nixpkgs ships no static
  # archives of them by default (the Makefile would fall back to this and say so).
  makeFlags = [ "SHARED=1" "PREFIX=$(out)" ];
  enableParallelBuilding = true;

  meta = {
    description = "Declarative config compiler for PCI/GPU passthrough (VFIO): checks a host's config against its hardware and writes a NixOS module, libvirt domains and a kernel command line";
    license = lib.licenses.mit;
    mainProgram = "vfioc";
    platforms = lib.platforms.linux;
  };
}
