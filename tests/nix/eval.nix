# eval.nix: evaluates a generated vfio.nix offline, without nixpkgs: lib, pkgs and config are
# stubs, and the module's lib.mkIf / mkBefore / mkMerge / mkForce wrappers are resolved the way
# the NixOS module system would for this one module. Returns the resolved option values plus
# `unknown`: every option path the module sets that is not an option of the target release.
#
#   nix-instantiate --eval --strict --json --store dummy:// tests/nix/eval.nix \
#     --arg module ./generated/vfio.nix --argstr release 25.05 --arg systemdInitrd false
#
# `failedAssertions` holds the messages of the module's assertions that fail on a system
# whose config.system.nixos.release is `nixosRelease` (by default the target's own release;
# "unstable" stands for 27.05). `kernelVersion` is the version of the kernel the system
# boots (config.boot.kernelPackages.kernel.version). `users` is the system's
# config.users.users (e.g. { alice = { uid = 1001; }; }).
{ module, release, systemdInitrd ? false, kernelVersion ? "6.12.10",
  nixosRelease ? (if release == "unstable" then "27.05" else release), users ? { } }:
let
  inherit (builtins) attrNames concatLists elem filter isAttrs isList length listToAttrs map;

  lib = rec {
    mkIf = condition: content: { _type = "if"; inherit condition content; };
    mkBefore = content: { _type = "order"; priority = 500; inherit content; };
    mkAfter = content: { _type = "order"; priority = 1500; inherit content; };
    mkOrder = priority: content: { _type = "order"; inherit priority content; };
    mkForce = content: { _type = "override"; priority = 50; inherit content; };
    mkDefault = content: { _type = "override"; priority = 1000; inherit content; };
    mkMerge = contents: { _type = "merge"; inherit contents; };
    optional = c: x: if c then [ x ] else [ ];
    optionals = c: xs: if c then xs else [ ];
    optionalString = c: s: if c then s else "";
    concatStringsSep = builtins.concatStringsSep;
    versionOlder = a: b: builtins.compareVersions a b < 0;
    versionAtLeast = a: b: builtins.compareVersions a b >= 0;
    versions.majorMinor = v:
      let parts = builtins.splitVersion v;
      in "${builtins.elemAt parts 0}.${builtins.elemAt parts 1}";
    makeBinPath = ps: concatStringsSep ":" (map (p: "${p}/bin") ps);
  };

  # Packages are their attribute names, so the tests can compare them.
  pkgs = {
    qemu = "pkgs.qemu";
    qemu_kvm = "pkgs.qemu_kvm";
    qemu_full = "pkgs.qemu_full";
    libvirt = "pkgs.libvirt";
    coreutils = "pkgs.coreutils";
    kmod = "pkgs.kmod";
    systemd = "pkgs.systemd";
    scream = "pkgs.scream";
    runtimeShell = "/nix/store/runtime-shell/bin/bash";
    # A store script: its text, with the shebang that names the shell by its store path.
    writeShellScript = name: text: "#!${pkgs.runtimeShell}\n" + text;
    OVMF = {
      fd = "pkgs.OVMF.fd";
      # As nixpkgs' OVMF: msVarsTemplate needs the 4 MiB build, which only secureBoot
      # selects by default (assert msVarsTemplate -> fdSize4MB).
      override = a:
        assert (a.msVarsTemplate or false) -> (a.fdSize4MB or (a.secureBoot or false));
        {
          fd = "pkgs.OVMF(secureBoot=${if a.secureBoot or false then "1" else "0"}"
            + ",tpmSupport=${if a.tpmSupport or false then "1" else "0"}"
            + ",msVarsTemplate=${if a.msVarsTemplate or false then "1" else "0"}).fd";
        };
    };
  };

  config = {
    boot.initrd.systemd.enable = systemdInitrd;
    virtualisation.libvirtd.package = "pkgs.libvirt";
    system.nixos.release = nixosRelease;
    boot.kernelPackages.kvmfr = "pkgs.linuxPackages.kvmfr";
    boot.kernelPackages.kernel.version = kernelVersion;
    users.users = users;
  };

  raw = import module { inherit config lib pkgs; };
  # host.nixos-extra comes as an imported module ({ _file; config; }): merged into the
  # values, but left out of the check for unknown options (vfioc does not know them).
  own = builtins.removeAttrs (if raw ? config then raw.config else raw) [ "imports" ];
  imported = map (m: m.config) (raw.imports or [ ]);

  mergeTwo = a: b:
    if isAttrs a && isAttrs b then
      a // listToAttrs (map (n: { name = n; value = if a ? ${n} then mergeTwo a.${n} b.${n} else b.${n}; })
        (attrNames b))
    else if isList a && isList b then a ++ b
    else throw "conflicting definitions";

  isNull = v: v == null;
  # Resolve the wrappers; a false mkIf becomes null and its attribute disappears.
  resolve = v:
    if isAttrs v && v ? _type then
      (if v._type == "if" then (if v.condition then resolve v.content else null)
       else if v._type == "order" || v._type == "override" then resolve v.content
       else if v._type == "merge" then
         builtins.foldl' mergeTwo { } (filter (x: !(isNull x)) (map resolve v.contents))
       else throw "unknown wrapper ${v._type}")
    else if isAttrs v then
      let r = builtins.mapAttrs (n: resolve) v;
      in listToAttrs (map (n: { name = n; value = r.${n}; }) (filter (n: !(isNull r.${n})) (attrNames r)))
    else if isList v then map resolve v
    else v;

  ownCfg = resolve own;
  cfg = builtins.foldl' mergeTwo ownCfg (map resolve imported);

  # Option paths, with the names of attrsOf submodules written as <name>.
  named = [ "users.users" "systemd.services" "systemd.user.services"
    "virtualisation.libvirtd.hooks.qemu" "systemd.tmpfiles.settings" "environment.etc"
    "systemd.tmpfiles.settings.<name>" ];
  paths = prefix: v:
    if isAttrs v && !(elem prefix named) then
      concatLists (map (n: paths (if prefix == "" then n else "${prefix}.${n}") v.${n}) (attrNames v))
    else if isAttrs v then
      concatLists (map (n: paths "${prefix}.<name>" v.${n}) (attrNames v))
    else [ prefix ];

  hasOvmf = elem release [ "24.05" "24.11" "25.05" ];
  known = [
    "boot.kernelParams" "boot.initrd.kernelModules" "boot.extraModprobeConfig"
    "boot.initrd.preDeviceCommands" "boot.initrd.services.udev.rules"
    "virtualisation.libvirtd.enable" "virtualisation.libvirtd.qemu.package"
    "virtualisation.libvirtd.onShutdown" "virtualisation.libvirtd.onBoot"
    "virtualisation.libvirtd.qemu.runAsRoot" "virtualisation.libvirtd.qemu.swtpm.enable"
    "programs.virt-manager.enable" "virtualisation.spiceUSBRedirection.enable"
    "users.users.<name>.extraGroups" "systemd.tmpfiles.rules"
    "systemd.services.<name>.description" "systemd.services.<name>.after"
    "systemd.services.<name>.requires" "systemd.services.<name>.wantedBy"
    "systemd.services.<name>.path" "systemd.services.<name>.serviceConfig.Type"
    "systemd.services.<name>.serviceConfig.RemainAfterExit" "systemd.services.<name>.script"
    "systemd.services.<name>.serviceConfig.StateDirectory" "assertions"
    "boot.blacklistedKernelModules" "virtualisation.libvirtd.qemu.verbatimConfig"
    "boot.extraModulePackages" "boot.kernelModules" "environment.etc.<name>.text"
    "services.udev.extraRules" "virtualisation.libvirtd.hooks.qemu.<name>"
    "systemd.tmpfiles.settings.<name>.<name>.f.user" "systemd.tmpfiles.settings.<name>.<name>.f.group"
    "systemd.tmpfiles.settings.<name>.<name>.f.mode"
    "systemd.user.services.<name>.description" "systemd.user.services.<name>.wantedBy"
    "systemd.user.services.<name>.partOf" "systemd.user.services.<name>.serviceConfig.ExecStart"
    "systemd.user.services.<name>.serviceConfig.Restart"
    "systemd.user.services.<name>.unitConfig.ConditionUser"
    "systemd.user.services.<name>.serviceConfig.ExecStartPre"
    "systemd.user.services.<name>.serviceConfig.TimeoutStartSec"
    "systemd.user.services.<name>.serviceConfig.RestartSec"
    "systemd.services.<name>.restartTriggers" "systemd.services.<name>.serviceConfig.RemainAfterExit"
  ] ++ lib.optionals hasOvmf [
    "virtualisation.libvirtd.qemu.ovmf.enable" "virtualisation.libvirtd.qemu.ovmf.packages"
  ];
  # `boot.initrd.preDeviceCommands` must stay unset (empty) with the systemd initrd: NixOS
  # refuses it there.
  initrdOk = !(systemdInitrd && cfg ? boot && cfg.boot ? initrd && cfg.boot.initrd ? preDeviceCommands);
in
cfg // {
  unknown = filter (p: !(elem p known)) (paths "" ownCfg);
  inherit initrdOk;
  failedAssertions = map (a: a.message) (filter (a: !a.assertion) (cfg.assertions or [ ]));
  isFunction = builtins.isFunction (import module);
  extraFiles = map (m: m._file or null) (raw.imports or [ ]);
}
