# Build bpviz's Windows installer. Run ON WINDOWS 10/11 x64 (e.g. a GitHub-hosted windows-2022
# runner), from the repository root, with Python 3.11 x64 (python.org) and NSIS 3 installed:
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1 [-Flavour small|full]
#
# -> dist\bpviz\bpviz.exe (the frozen app) and dist\bpviz-<version>-setup.exe (the installer).
# "full" needs torch and torchvision in the venv (pip install -e .[train]; for NVIDIA GPUs
# PyTorch's CUDA wheels from pytorch.org's index).
param([ValidateSet("small", "full")][string]$Flavour = "small")
$ErrorActionPreference = "Stop"
if (-not (Test-Path .venv)) { py -3.11 -m venv .venv }
$py = ".venv\Scripts\python.exe"
& $py -m pip install -e . "pyinstaller>=6.10,<7"
if ($LASTEXITCODE) { throw "pip failed" }
$version = & $py -c "import bpviz; print(bpviz.__version__)"
$env:BPVIZ_FLAVOUR = $Flavour
& $py -m PyInstaller --noconfirm --clean --distpath dist --workpath "build\pyinstaller-$Flavour" packaging\bpviz.spec
if ($LASTEXITCODE) { throw "PyInstaller failed" }
# bpviz.exe is a windowed program: no console output, so the self-test is judged by exit code
$env:QT_QPA_PLATFORM = "offscreen"
$test = Start-Process dist\bpviz\bpviz.exe -ArgumentList "--self-test" -Wait -PassThru
if ($test.ExitCode) { throw "the frozen app's --self-test failed ($($test.ExitCode))" }
Remove-Item Env:QT_QPA_PLATFORM
makensis /DVERSION=$version packaging\windows\bpviz.nsi
if ($LASTEXITCODE) { throw "makensis failed" }
Write-Output "dist\bpviz-$version-setup.exe"
