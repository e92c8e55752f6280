"""What the browser tests share (Tests/Browser/run): the API helper, and a headless
Chromium driven by Selenium that checks each kind of page it opens with axe (no serious
or critical violation) and waits for each page a click leads to.
"""

import json
import os
import sys
import urllib.request

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["CONSOLE_URL"]
PASSWORD = os.environ["PASSWORD"]
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS") == "1"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def api(method, path, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + os.environ[token])
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request) as answer:
        text = answer.read()
        return json.loads(text) if text else None


class Browser:
    def __init__(self):
        options = Options()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
            options.add_argument(argument)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        self.driver.implicitly_wait(0)
        self.checked = set()

    def step(self, text):
        print(f"browser: {text}", flush=True)

    def fail(self, text):
        print(f"browser: FAILED: {text}\n  at {self.driver.current_url}", flush=True)
        print(self.driver.page_source[:3000], flush=True)
        sys.exit(1)

    def expect(self, condition, text):
        if not condition:
            self.fail(text)

    def open(self, path):
        self.driver.get(BASE + path)
        self.accessible()

    def accessible(self):
        """axe on the page shown, once per kind of page: no serious or critical violation."""
        kind = self.driver.current_url.split("?")[0].rstrip("/0123456789")
        if kind in self.checked:
            return
        self.checked.add(kind)
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        self.expect(not bad, "axe: " + "; ".join(f"{v['id']} ({v['impact']}): {v['help']}" for v in bad))

    def navigate(self, element):
        """Clicks a link or a submit button and waits for the next page to replace this one
        (a click returns before the browser has loaded what it leads to)."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.driver, 15, poll_frequency=0.05).until(lambda _: self.replaced(page), "the next page")
        WebDriverWait(self.driver, 15, poll_frequency=0.05).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete", "the page loaded")

    @staticmethod
    def replaced(page):
        """Whether the page's root element is gone. Chromium says so in two ways: a stale
        element, or, while the next document is being attached, "Node with given id does
        not belong to the document"."""
        try:
            page.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise

    def click_link(self, text):
        self.navigate(self.driver.find_element(By.LINK_TEXT, text))
        self.accessible()

    def click_button(self, text):
        buttons = [b for b in self.driver.find_elements(By.TAG_NAME, "button") if b.text.strip() == text]
        self.expect(buttons, f"no button {text!r}")
        self.navigate(buttons[0])

    def buttons(self):
        return [b.text.strip() for b in self.driver.find_elements(By.TAG_NAME, "button")]

    def status(self):
        return self.driver.find_element(By.ID, "status").text

    def wait_status(self, wanted):
        # The page's script reloads it when its job is done; a reload does the same without it.
        def reached(driver):
            try:
                return self.status().startswith(wanted)
            except Exception:
                return False
        WebDriverWait(self.driver, 30, poll_frequency=0.2).until(reached, f"status {wanted}")

    def sign_in(self, name, home="/console/packages"):
        """Signs in from an anonymous visit of `home` (the console's, or the portal's)."""
        prefix = "/" + home.split("/")[1]
        self.open(home)
        self.expect(prefix + "/login" in self.driver.current_url, "an anonymous visit leads to the sign-in")
        self.driver.find_element(By.ID, "name").send_keys(name)
        self.driver.find_element(By.ID, "password").send_keys(PASSWORD)
        self.click_button("Sign in")
        self.expect(self.driver.current_url.endswith(home), f"{name} is on {home} after signing in")
        self.accessible()

    def sign_out(self):
        self.click_button("Sign out")
