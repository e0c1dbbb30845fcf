# flake.nix: vfioc as a flake.
#   nix run .# -- init                     # in a clone; or check, build, probe, groups
#   inputs.vfioc.url = "path:/opt/vfioc";   # a NixOS configuration's flake, with the clone's
#                                           # path (or, once published, its URL)
# Outputs, for each Linux system: packages.default (and .vfioc), apps.default,
# devShells.default (the build and test tools), checks (the package and the test suite);
# overlays.default (pkgs.vfioc); lib.check, a check for a user's own flake that fails
# `nix flake check` when the outputs committed next to a config are stale.
{
  description = "vfioc: a declarative config compiler for PCI/GPU passthrough (VFIO)";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      inherit (nixpkgs) lib;
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      systemOf = pkgs: pkgs.stdenv.hostPlatform.system;
      vfiocFor = pkgs: self.packages.${systemOf pkgs}.default or (pkgs.callPackage ./package.nix { });

      # What the test suite runs besides the compiler (tests/install-deps.sh lists the
      # Debian packages of the same tools).
      testTools = pkgs: [
        (pkgs.python3.withPackages (ps: [ ps.pyyaml ps.jsonschema ]))
        pkgs.pciutils
        pkgs.libvirt
        pkgs.libxml2.bin
        pkgs.nix
        pkgs.valgrind
        pkgs.time
        pkgs.mandoc      # lints the manual pages
        pkgs.zsh         # run the completions
        pkgs.fish
        pkgs.pre-commit  # runs .pre-commit-hooks.yaml (t-integrations, with git)
        pkgs.git
      ];
    in
    {
      overlays.default = final: prev: {
        vfioc = final.callPackage ./package.nix { };
      };

      packages = forAllSystems (pkgs: rec {
        vfioc = pkgs.callPackage ./package.nix { };
        default = vfioc;
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = lib.getExe self.packages.${systemOf pkgs}.default;
          meta.description = "Run vfioc";
        };
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${systemOf pkgs}.default ];
          packages = testTools pkgs;
        };
      });

      checks = forAllSystems (pkgs: {
        package = self.packages.${systemOf pkgs}.default;
        # The test suite (`make test`) against the package's build.
        tests = self.packages.${systemOf pkgs}.default.overrideAttrs (old: {
          pname = "vfioc-tests";
          doCheck = true;
          checkTarget = "test";
          nativeCheckInputs = testTools pkgs;
          # nix-instantiate in the suite evaluates offline (--store dummy://).
          preCheck = ''
            export HOME=$TMPDIR NIX_STATE_DIR=$TMPDIR/nix
          '';
        });
      });

      # lib.check { pkgs, src, config, ... }: a derivation that runs
      # `vfioc build --check` on a config in `src` (a directory, e.g. ./. of the user's
      # flake) and fails, listing what differs, when the committed outputs are stale.
      #   config    the config's path inside src ("vfio/host.yaml")
      #   output    the output directory inside src, when not generated/ next to the config
      #   hardware  a snapshot inside src, when the config names none (`hardware:`); the
      #             build sandbox has no /sys to read the live machine from
      #   package   the vfioc to run (default: this flake's, for pkgs' system)
      lib.check =
        { pkgs, src, config ? "host.yaml", output ? null, hardware ? null, package ? vfiocFor pkgs }:
        let
          args = [ "build" "--check" config ]
            ++ lib.optionals (output != null) [ "-o" output ]
            ++ lib.optionals (hardware != null) [ "--hardware" hardware ];
        in
        pkgs.runCommand "vfioc-check" { nativeBuildInputs = [ package ]; } ''
          cd ${lib.escapeShellArg "${src}"}
          # Without $out the check fails whether or not the builder runs with `set -e`.
          vfioc ${lib.escapeShellArgs args} && touch $out
        '';
    };
}
