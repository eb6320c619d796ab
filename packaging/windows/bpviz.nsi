; bpviz's Windows installer (NSIS 3, Unicode), over a bundle built ON WINDOWS:
;
;   build machine: Windows 10/11 x64 (e.g. a GitHub-hosted windows-2022 runner), Python 3.11
;   x64 from python.org, NSIS 3.x (makensis on PATH). packaging\windows\build.ps1 builds
;   dist\bpviz\bpviz.exe with packaging\bpviz.spec, then runs:
;
;   makensis /DVERSION=0.1.0 packaging\windows\bpviz.nsi   ->  dist\bpviz-0.1.0-setup.exe
;
; /DBUNDLE=folder and /DOUTFILE=file override where the bundle is and where the installer goes
; (CI on Linux compiles this script against a stand-in folder: packaging/windows/check_nsis.sh).
; Installs for all users under Program Files (settings stay in the user's AppData: bpviz never
; writes beside itself), a Start-menu entry, "Open with bpviz" for .json files (Windows keys file
; types on the last extension, so graphs, sessions and lessons cannot have their own; bpviz
; tells them apart by their content), and an uninstaller listed in Settings > Apps.
Unicode true
!include "MUI2.nsh"

!ifndef VERSION
  !define VERSION "0.1.0"
!endif
!ifndef BUNDLE
  !define BUNDLE "..\..\dist\bpviz"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\bpviz-${VERSION}-setup.exe"
!endif
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\bpviz"
!define PROGID "bpviz.graph"

Name "bpviz ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\bpviz"
InstallDirRegKey HKLM "Software\bpviz" "InstallDir"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "bpviz"
VIAddVersionKey "FileDescription" "bpviz installer: make back-propagation visible"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "MIT licence"

!define MUI_ICON "..\..\resources\icons\bpviz.ico"
!define MUI_UNICON "..\..\resources\icons\bpviz.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\bpviz.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "bpviz" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\bpviz.lnk" "$INSTDIR\bpviz.exe" "" "$INSTDIR\bpviz.exe" 0
  WriteRegStr HKLM "Software\bpviz" "InstallDir" "$INSTDIR"

  WriteRegStr HKLM "Software\Classes\${PROGID}" "" "bpviz network, lesson or session"
  WriteRegStr HKLM "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\bpviz.exe,0"
  WriteRegStr HKLM "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\bpviz.exe" "%1"'
  WriteRegStr HKLM "Software\Classes\.json\OpenWithProgids" "${PROGID}" ""

  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "bpviz"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "bpviz developers"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\bpviz.exe,0"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$SMPROGRAMS\bpviz.lnk"
  ; only what the installer put there: bpviz.exe, _internal\ and the uninstaller
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\bpviz.exe"
  Delete "$INSTDIR\bpviz-train.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegValue HKLM "Software\Classes\.json\OpenWithProgids" "${PROGID}"
  DeleteRegKey HKLM "Software\Classes\${PROGID}"
  DeleteRegKey HKLM "${UNINST_KEY}"
  DeleteRegKey HKLM "Software\bpviz"
SectionEnd
